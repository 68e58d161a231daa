#pragma once

#include <QDialog>
#include <QFutureWatcher>

#include <atomic>
#include <memory>

class QComboBox;
class QCheckBox;
class QCustomPlot;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;

// Analysis ▸ Fine-tune: trains a trainable export (gkp export --mode trainable) with SGD in a
// worker, plotting the training loss and validation top-1 live, with Cancel; writes the
// fine-tuned trainable model and its deploy form (frozen, BatchNorm folded) only when done.
class FinetuneDialog : public QDialog
{
    Q_OBJECT

public:
    explicit FinetuneDialog(QWidget *parent = nullptr);
    ~FinetuneDialog() override;

    void setInputPath(const QString &path); // also suggests output paths beside it
    void setDatasetSpec(const QString &spec);
    void setEpochs(int epochs);
    void setLearningRate(double lr);
    void setAugment(bool on); // random crop and horizontal flip
    void setTrainLimit(int images);      // 0: all
    void setValidationLimit(int images); // 0: all
    void setOutputPaths(const QString &trainable, const QString &deploy);
    void start();
    void cancel();
    bool isRunning() const;
    QString resultText() const;
    QCustomPlot *plot() const { return m_plot; }

Q_SIGNALS:
    void finished(bool ok);

private:
    struct Outcome
    {
        bool ok = false;
        bool cancelled = false;
        QString message;
    };
    void onFinished();
    void addPoint(double step, double loss, double valTop1); // valTop1 < 0: none

    QLineEdit *m_input, *m_dataset, *m_output, *m_deploy;
    QSpinBox *m_epochs, *m_batch, *m_trainLimit, *m_valLimit;
    QDoubleSpinBox *m_lr;
    QComboBox *m_schedule;
    QCheckBox *m_augment;
    QCustomPlot *m_plot;
    QProgressBar *m_progress;
    QPushButton *m_startButton, *m_cancelButton;
    QLabel *m_result;
    QFutureWatcher<Outcome> m_watcher;
    std::shared_ptr<std::atomic<bool>> m_cancel;
};
