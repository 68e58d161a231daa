#include "finetunedialog.h"

#include "datasetdialog.h"
#include "datasetloader.h"
#include "eval/finetune.h"
#include "model/model.h"
#include "qcustomplotcompat.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <cmath>

namespace {

QHBoxLayout *withBrowse(QLineEdit *edit, QPushButton *button)
{
    auto *row = new QHBoxLayout;
    row->addWidget(edit, 1);
    row->addWidget(button);
    return row;
}

} // namespace

FinetuneDialog::FinetuneDialog(QWidget *parent)
    : QDialog(parent), m_input(new QLineEdit), m_dataset(new QLineEdit(DatasetChoice::defaultFor({}).spec)),
      m_output(new QLineEdit), m_deploy(new QLineEdit), m_epochs(new QSpinBox), m_batch(new QSpinBox),
      m_trainLimit(new QSpinBox), m_valLimit(new QSpinBox), m_lr(new QDoubleSpinBox), m_schedule(new QComboBox),
      m_augment(new QCheckBox(tr("Random crop and horizontal flip"))), m_plot(new QCustomPlot),
      m_progress(new QProgressBar), m_startButton(new QPushButton(tr("Fine-tune"))),
      m_cancelButton(new QPushButton(tr("Cancel"))), m_result(new QLabel)
{
    setWindowTitle(tr("Fine-tune a Trainable Export"));
    m_input->setPlaceholderText(tr("a model written by File ▸ Export in trainable mode"));
    m_epochs->setRange(1, 1000);
    m_epochs->setValue(1);
    m_batch->setRange(1, 4096);
    m_batch->setValue(128);
    m_trainLimit->setRange(0, 100000000);
    m_trainLimit->setSpecialValueText(tr("all"));
    m_valLimit->setRange(0, 100000000);
    m_valLimit->setSpecialValueText(tr("all"));
    m_lr->setDecimals(4);
    m_lr->setRange(0.0001, 10.0);
    m_lr->setSingleStep(0.005);
    m_lr->setValue(0.01);
    m_schedule->addItem(tr("Cosine"), QStringLiteral("cosine"));
    m_schedule->addItem(tr("Step (x0.1 per epoch)"), QStringLiteral("step"));
    m_schedule->addItem(tr("Constant"), QStringLiteral("constant"));
    m_augment->setChecked(true);

    auto *browseInput = new QPushButton(tr("Browse…"));
    auto *browseOutput = new QPushButton(tr("Browse…"));
    auto *form = new QFormLayout;
    form->addRow(tr("Trainable export"), withBrowse(m_input, browseInput));
    form->addRow(tr("Dataset"), m_dataset);
    form->addRow(tr("Epochs"), m_epochs);
    form->addRow(tr("Learning rate"), m_lr);
    form->addRow(tr("Schedule"), m_schedule);
    form->addRow(tr("Batch size"), m_batch);
    form->addRow(tr("Training images"), m_trainLimit);
    form->addRow(tr("Validation images"), m_valLimit);
    form->addRow(QString(), m_augment);
    form->addRow(tr("Save trainable to"), withBrowse(m_output, browseOutput));
    form->addRow(tr("Save deploy to"), m_deploy);

    m_plot->xAxis->setLabel(tr("training step"));
    auto steps = QSharedPointer<QCPAxisTickerFixed>::create(); // whole steps: 1, 2, ... (or 10, 20, ...)
    steps->setTickStep(1.0);
    steps->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
    m_plot->xAxis->setTicker(steps);
    m_plot->yAxis->setLabel(tr("training loss"));
    m_plot->yAxis2->setLabel(tr("validation top-1 (%)"));
    m_plot->yAxis2->setVisible(true);
    QCPGraph *loss = m_plot->addGraph(m_plot->xAxis, m_plot->yAxis);
    loss->setName(tr("training loss"));
    loss->setPen(QPen(QColor(0x1f, 0x77, 0xb4), 1.5));
    QCPGraph *acc = m_plot->addGraph(m_plot->xAxis, m_plot->yAxis2);
    acc->setName(tr("validation top-1"));
    acc->setPen(QPen(QColor(0xd6, 0x27, 0x28), 2.0));
    acc->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 7));
    m_plot->legend->setVisible(true);
    m_plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignRight | Qt::AlignVCenter);
    m_plot->setMinimumSize(520, 280);

    auto *runRow = new QHBoxLayout;
    runRow->addWidget(m_progress, 1);
    runRow->addWidget(m_startButton);
    runRow->addWidget(m_cancelButton);
    m_result->setWordWrap(true);
    m_result->setTextFormat(Qt::RichText);
    auto *close = new QDialogButtonBox(QDialogButtonBox::Close);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_plot, 1);
    layout->addLayout(runRow);
    layout->addWidget(m_result);
    layout->addWidget(close);
    m_cancelButton->setEnabled(false);
    m_progress->setRange(0, 1);
    m_progress->setValue(0);

    connect(browseInput, &QPushButton::clicked, this, [this] {
        const QString p = QFileDialog::getOpenFileName(this, tr("Trainable Export"), m_input->text(),
                                                       tr("TorchScript models (*.pt)"));
        if (!p.isEmpty())
            setInputPath(p);
    });
    connect(browseOutput, &QPushButton::clicked, this, [this] {
        const QString p = QFileDialog::getSaveFileName(this, tr("Save Fine-tuned Model"), m_output->text(),
                                                       tr("TorchScript models (*.pt)"));
        if (!p.isEmpty()) {
            const QFileInfo fi(p);
            setOutputPaths(p, fi.absolutePath() + u'/' + fi.completeBaseName() + QStringLiteral("_deploy.pt"));
        }
    });
    connect(m_startButton, &QPushButton::clicked, this, &FinetuneDialog::start);
    connect(m_cancelButton, &QPushButton::clicked, this, &FinetuneDialog::cancel);
    connect(close, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(&m_watcher, &QFutureWatcherBase::finished, this, &FinetuneDialog::onFinished);
}

FinetuneDialog::~FinetuneDialog()
{
    cancel();
    m_watcher.waitForFinished();
}

void FinetuneDialog::setInputPath(const QString &path)
{
    m_input->setText(path);
    const QFileInfo fi(path);
    const QString base = fi.absolutePath() + u'/' + fi.completeBaseName();
    setOutputPaths(base + QStringLiteral("_finetuned.pt"), base + QStringLiteral("_finetuned_deploy.pt"));
}

void FinetuneDialog::setDatasetSpec(const QString &spec)
{
    m_dataset->setText(spec);
}

void FinetuneDialog::setEpochs(int epochs)
{
    m_epochs->setValue(epochs);
}

void FinetuneDialog::setLearningRate(double lr)
{
    m_lr->setValue(lr);
}

void FinetuneDialog::setAugment(bool on)
{
    m_augment->setChecked(on);
}

void FinetuneDialog::setTrainLimit(int images)
{
    m_trainLimit->setValue(images);
}

void FinetuneDialog::setValidationLimit(int images)
{
    m_valLimit->setValue(images);
}

void FinetuneDialog::setOutputPaths(const QString &trainable, const QString &deploy)
{
    m_output->setText(trainable);
    m_deploy->setText(deploy);
}

bool FinetuneDialog::isRunning() const
{
    return m_watcher.isRunning();
}

QString FinetuneDialog::resultText() const
{
    return m_result->text();
}

void FinetuneDialog::cancel()
{
    if (m_cancel)
        m_cancel->store(true);
}

void FinetuneDialog::addPoint(double step, double loss, double valTop1)
{
    m_plot->graph(0)->addData(step, loss);
    if (valTop1 >= 0.0)
        m_plot->graph(1)->addData(step, 100.0 * valTop1);
    m_plot->graph(0)->rescaleAxes();
    // a margin around the points: the first and last validation markers, and the loss curve's
    // ends, lay half outside the axis rect
    const QCPRange x = m_plot->xAxis->range(), y = m_plot->yAxis->range();
    const double dx = std::max(0.05 * x.size(), 0.1), dy = std::max(0.06 * y.size(), 1e-3 * std::abs(y.upper));
    m_plot->xAxis->setRange(x.lower - dx, x.upper + dx);
    m_plot->yAxis->setRange(y.lower - dy, y.upper + dy);
    bool found = false;
    const QCPRange r = m_plot->graph(1)->getValueRange(found);
    if (found)
        m_plot->yAxis2->setRange(std::max(0.0, r.lower - 2.0), std::min(100.0, r.upper + 2.0));
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void FinetuneDialog::start()
{
    if (isRunning())
        return;
    gkp::FinetuneOptions options;
    options.epochs = m_epochs->value();
    options.batch = m_batch->value();
    options.lr = m_lr->value();
    options.schedule = m_schedule->currentData().toString().toStdString();
    options.augment = m_augment->isChecked();
    const QString input = m_input->text(), spec = m_dataset->text();
    const std::string output = m_output->text().toStdString(), deploy = m_deploy->text().toStdString();
    const int trainLimit = m_trainLimit->value(), valLimit = m_valLimit->value();
    if (input.isEmpty() || output.empty()) {
        m_result->setText(tr("<span style='color:#b00'>Choose the trainable export and where to save.</span>"));
        return;
    }
    m_plot->graph(0)->data()->clear();
    m_plot->graph(1)->data()->clear();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
    auto cancel = std::make_shared<std::atomic<bool>>(false);
    m_cancel = cancel;
    m_startButton->setEnabled(false);
    m_cancelButton->setEnabled(true);
    m_progress->setRange(0, 0);
    m_result->setText(tr("Loading data…"));
    QPointer<FinetuneDialog> self(this);
    m_watcher.setFuture(QtConcurrent::run([=]() -> Outcome {
        Outcome o;
        try {
            gkp::LoadOptions raw;
            raw.analyse = false;
            const gkp::Model probe = gkp::Model::load(input.toStdString(), raw);
            auto loading = [cancel](int, int) { return !cancel->load(); };
            const gkp::Dataset train = loadTrainingData(spec, probe.inventory(), trainLimit, loading);
            DatasetChoice valChoice;
            valChoice.spec = spec;
            valChoice.limit = valLimit;
            const gkp::Dataset validation = loadDatasetChoice(valChoice, probe.inventory(), loading).eval;
            auto callback = [cancel, self](const gkp::FinetuneProgress &p) {
                const double val = p.val_top1 ? *p.val_top1 : -1.0;
                QMetaObject::invokeMethod(self, [self, p, val] {
                    if (!self)
                        return;
                    self->m_progress->setRange(0, int(p.steps));
                    self->m_progress->setValue(int(p.step));
                    self->m_result->setText(tr("Epoch %1/%2, step %3/%4, loss %5")
                                                .arg(p.epoch + 1)
                                                .arg(p.epochs)
                                                .arg(p.step)
                                                .arg(p.steps)
                                                .arg(p.loss, 0, 'f', 4));
                    self->addPoint(double(p.step), p.loss, val);
                });
                return !cancel->load();
            };
            const gkp::FinetuneResult r =
                gkp::finetuneFile(input.toStdString(), train, &validation, options, output, deploy, callback);
            o.ok = true;
            o.message = tr("<b>Done.</b> Validation top-1 <b>%1 %</b> on %2 images. Pruned kernels: %3 layer(s), "
                           "%4 nonzero pruned weights. Wrote %5%6.")
                            .arg(100.0 * r.validation->top1, 0, 'f', 2)
                            .arg(r.validation->samples)
                            .arg(r.pruned.layers)
                            .arg(r.pruned.nonzero_pruned)
                            .arg(QString::fromStdString(output).toHtmlEscaped(),
                                 deploy.empty() ? QString()
                                                : tr(" and %1 (deploy)").arg(QString::fromStdString(deploy).toHtmlEscaped()));
        } catch (const gkp::Cancelled &) {
            o.cancelled = true;
            o.message = tr("Cancelled: no file was written.");
        } catch (const std::exception &e) {
            o.message = tr("<span style='color:#b00'><b>Failed.</b> %1</span>")
                            .arg(QString::fromStdString(e.what()).toHtmlEscaped());
        }
        return o;
    }));
}

void FinetuneDialog::onFinished()
{
    const Outcome o = m_watcher.result();
    m_startButton->setEnabled(true);
    m_cancelButton->setEnabled(false);
    m_progress->setRange(0, 1);
    m_progress->setValue(o.ok ? 1 : 0);
    m_result->setText(o.message);
    Q_EMIT finished(o.ok);
}
