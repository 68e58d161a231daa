#pragma once

#include "export/exporter.h"
#include "runtime/filetiming.h"

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
// masked model, and the file timed whole against the original before it is written (a deploy
// file slower than the original is not written unless asked); shows layers kept dense because
// their pruned form was slower here.
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
    // Deploy: a file whose speed-up over the original (timed whole before it is written) is below
    // this is not written unless "keep slower" is checked (default gkp::DefaultMinSpeedup).
    void setMinSpeedup(double minSpeedup) { m_minSpeedup = minSpeedup; }
    void setKeepSlower(bool keep);
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
        gkp::FileSpeed speed; // timed whole before it was written (runs == 0: not timed)
        QString untimed;      // why not (no ONNX Runtime for an .onnx file)
        gkp::Runtime runtime = gkp::Runtime::Frozen;
    };
    void browse();
    void onFinished();

    Document *m_document;
    QComboBox *m_mode;
    QLineEdit *m_path;
    QCheckBox *m_timing;
    QCheckBox *m_keepSlower;
    double m_minSpeedup;
    QComboBox *m_runtime;
    QProgressBar *m_progress;
    QTextBrowser *m_results;
    QPushButton *m_exportButton;
    QPushButton *m_cancelButton;
    QFutureWatcher<Outcome> m_watcher;
    std::shared_ptr<std::atomic<bool>> m_cancel;
    bool m_verified = false;
};
