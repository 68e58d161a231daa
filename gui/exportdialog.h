#pragma once

#include "export/exporter.h"

#include <QDialog>
#include <QFutureWatcher>

#include <atomic>
#include <memory>

class Document;
class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QTextBrowser;

// Export the current plan: mode and path, then (in a worker) export, verification against the
// masked model, and a latency comparison with the original; shows layers kept dense because their
// pruned form was slower here.
class ExportDialog : public QDialog
{
    Q_OBJECT

public:
    explicit ExportDialog(Document *document, QWidget *parent = nullptr);
    ~ExportDialog() override;

    void setOutputPath(const QString &path);
    void setMode(gkp::ExportMode mode);
    void setRuntime(gkp::Runtime runtime);
    gkp::Runtime runtime() const;
    void startExport();
    bool isRunning() const;
    QString resultText() const;
    bool lastExportVerified() const { return m_verified; }

Q_SIGNALS:
    void exportFinished(bool ok);

private:
    struct Outcome
    {
        bool ok = false;
        QString error;
        gkp::ExportResult result;
        double before_ms = 0, after_ms = 0;
        gkp::Runtime runtime = gkp::Runtime::Frozen;
    };
    void browse();
    void onFinished();

    Document *m_document;
    QComboBox *m_mode;
    QLineEdit *m_path;
    QCheckBox *m_timing;
    QComboBox *m_runtime;
    QProgressBar *m_progress;
    QTextBrowser *m_results;
    QPushButton *m_exportButton;
    QPushButton *m_cancelButton;
    QFutureWatcher<Outcome> m_watcher;
    std::shared_ptr<std::atomic<bool>> m_cancel;
    bool m_verified = false;
};
