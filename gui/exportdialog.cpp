#include "exportdialog.h"

#include "runtime/benchmark.h"
#include "document.h"
#include "model/model.h"
#include "workerpool.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QTextBrowser>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

ExportDialog::ExportDialog(Document *document, QWidget *parent)
    : QDialog(parent), m_document(document), m_mode(new QComboBox), m_path(new QLineEdit),
      m_timing(new QCheckBox(tr("Time each layer's forms and keep the fastest (deploy)"))),
      m_keepSlower(new QCheckBox(tr("Write the file even when it runs slower than the original (deploy)"))),
      m_minSpeedup(gkp::DefaultMinSpeedup), m_runtime(new QComboBox),
      m_progress(new QProgressBar), m_results(new QTextBrowser), m_exportButton(new QPushButton(tr("Export"))),
      m_cancelButton(new QPushButton(tr("Cancel")))
{
    setWindowTitle(tr("Export Pruned Model"));
    m_mode->addItem(tr("Deploy: frozen, BatchNorm folded, fastest"), int(gkp::ExportMode::Deploy));
    m_mode->addItem(tr("Trainable: parameters and BatchNorm kept, for fine-tuning"), int(gkp::ExportMode::Trainable));
    m_timing->setChecked(true);
    m_runtime->addItem(tr("As loaded (frozen TorchScript)"), int(gkp::Runtime::Frozen));
    m_runtime->addItem(tr("oneDNN (after torch.jit.optimize_for_inference)"), int(gkp::Runtime::OneDnn));
    m_runtime->setToolTip(tr("Where the deployed model will run: forms are timed, the file verified and both models "
                             "benchmarked there"));
    setRuntime(gkp::runtimeFromString(document->settings().latency_runtime).value_or(gkp::Runtime::Frozen));
    auto *browseButton = new QPushButton(tr("Browse…"));
    auto *pathRow = new QHBoxLayout;
    pathRow->addWidget(m_path, 1);
    pathRow->addWidget(browseButton);
    auto *form = new QFormLayout;
    form->addRow(tr("Mode"), m_mode);
    form->addRow(tr("File"), pathRow);
    form->addRow(m_timing);
    form->addRow(m_keepSlower);
    form->addRow(tr("Runtime"), m_runtime);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_progress, 1);
    buttons->addWidget(m_exportButton);
    buttons->addWidget(m_cancelButton);
    auto *close = new QDialogButtonBox(QDialogButtonBox::Close);
    auto *layout = new QVBoxLayout(this);
    if (document->model() && document->model()->format() == gkp::ModelFormat::Onnx) {
        auto *note = new QLabel(tr("This is an ONNX model: a file ending in .onnx is written as a pruned ONNX file "
                                   "(grouped Conv nodes, forms not timed per layer; the whole file is timed in ONNX "
                                   "Runtime when it is installed); a .pt file as TorchScript."));
        note->setObjectName(QStringLiteral("onnxNote"));
        note->setWordWrap(true);
        layout->addWidget(note);
    }
    layout->addLayout(form);
    layout->addLayout(buttons);
    layout->addWidget(m_results, 1);
    layout->addWidget(close);
    m_cancelButton->setEnabled(false);
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    m_results->setMinimumSize(560, 260);

    const QString model = document->modelPath();
    if (!model.isEmpty()) {
        const QFileInfo fi(model);
        const bool onnx = document->model() && document->model()->format() == gkp::ModelFormat::Onnx;
        m_path->setText(fi.absolutePath() + u'/' + fi.completeBaseName() +
                        (onnx ? QStringLiteral("-gkp.onnx") : QStringLiteral("-gkp.pt")));
    }
    connect(browseButton, &QPushButton::clicked, this, &ExportDialog::browse);
    connect(m_exportButton, &QPushButton::clicked, this, &ExportDialog::startExport);
    connect(m_cancelButton, &QPushButton::clicked, this, [this] {
        if (m_cancel)
            m_cancel->store(true);
    });
    connect(close, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(&m_watcher, &QFutureWatcherBase::finished, this, &ExportDialog::onFinished);
    connect(m_mode, &QComboBox::currentIndexChanged, this,
            [this] {
                const bool deploy = m_mode->currentData().toInt() == int(gkp::ExportMode::Deploy);
                m_timing->setEnabled(deploy);
                m_keepSlower->setEnabled(deploy);
                m_runtime->setEnabled(deploy);
            });
}

ExportDialog::~ExportDialog()
{
    if (m_cancel)
        m_cancel->store(true);
    m_watcher.waitForFinished();
}

void ExportDialog::setOutputPath(const QString &path)
{
    m_path->setText(path);
}

void ExportDialog::setMode(gkp::ExportMode mode)
{
    m_mode->setCurrentIndex(m_mode->findData(int(mode)));
}

void ExportDialog::setRuntime(gkp::Runtime runtime)
{
    m_runtime->setCurrentIndex(m_runtime->findData(int(runtime)));
}

void ExportDialog::setKeepSlower(bool keep)
{
    m_keepSlower->setChecked(keep);
}

gkp::Runtime ExportDialog::runtime() const
{
    return gkp::Runtime(m_runtime->currentData().toInt());
}

bool ExportDialog::isRunning() const
{
    return m_watcher.isRunning();
}

QString ExportDialog::resultText() const
{
    return m_results->toPlainText();
}

void ExportDialog::browse()
{
    const bool onnx = m_document->model() && m_document->model()->format() == gkp::ModelFormat::Onnx;
    const QString torchScript = tr("TorchScript models (*.pt)");
    const QString path = QFileDialog::getSaveFileName(this, tr("Export Pruned Model"), m_path->text(),
                                                      onnx ? tr("ONNX models (*.onnx)") + QStringLiteral(";;") + torchScript
                                                           : torchScript);
    if (!path.isEmpty())
        m_path->setText(path);
}

void ExportDialog::startExport()
{
    if (isRunning() || !m_document->model())
        return;
    if (!m_document->isPlanCurrent() || m_document->plan().layers.empty()) {
        m_results->setHtml(tr("<p style='color:#b00'>There is no up-to-date plan with pruned layers to export yet.</p>"));
        return;
    }
    gkp::ExportOptions options;
    options.mode = gkp::ExportMode(m_mode->currentData().toInt());
    options.choose_fastest = m_timing->isChecked();
    if (!options.choose_fastest)
        options.force_form = gkp::LayerForm::Grouped;
    if (options.mode == gkp::ExportMode::Deploy)
        options.runtime = runtime();
    const std::string path = m_path->text().toStdString();
    const gkp::Plan plan = m_document->plan();
    const gkp::Model *model = m_document->model();
    options.timing_batch = gkp::formTimingBatch(options, plan, *model); // a latency-aware plan's batch
    const bool refuseSlower = options.mode == gkp::ExportMode::Deploy && !m_keepSlower->isChecked();
    const double minSpeedup = m_minSpeedup;
    auto cancel = std::make_shared<std::atomic<bool>>(false);
    m_cancel = cancel;
    m_verified = false;
    m_exportButton->setEnabled(false);
    m_cancelButton->setEnabled(true);
    m_progress->setRange(0, 0);
    m_results->setHtml(tr("<p>Exporting, verifying and timing…</p>"));
    QPointer<QProgressBar> bar(m_progress);
    // Normal priority: this times the models, and a niced thread would time worse on a busy machine.
    m_watcher.setFuture(QtConcurrent::run(workerPool(), [=]() -> Outcome {
        Outcome o;
        try {
            auto progress = [cancel, bar](int done, int total) {
                QMetaObject::invokeMethod(bar, [bar, done, total] {
                    if (bar) {
                        bar->setRange(0, total);
                        bar->setValue(done);
                    }
                });
                return !cancel->load();
            };
            o.runtime = options.runtime;
            gkp::ExportOptions withCheck = options;
            // Timed whole against the original as loaded back, before it replaces the output: a
            // deploy file clearly slower than the original is not written unless asked.
            withCheck.check_written = [&o, model, refuseSlower, minSpeedup, cancel](const gkp::Model &written) {
                try {
                    o.speed = gkp::timeAgainstOriginal(*model, written, o.runtime, model->inventory().input_shape.at(0),
                                                       7, [cancel](int, int) { return !cancel->load(); });
                } catch (const gkp::Cancelled &) {
                    throw;
                } catch (const gkp::Error &e) {
                    if (written.format() != gkp::ModelFormat::Onnx)
                        throw;
                    o.untimed = QString::fromStdString(e.what()); // no ONNX Runtime: the file stands, untimed
                    return;
                }
                if (refuseSlower && o.speed.speedup() < minSpeedup)
                    throw gkp::Error(gkp::slowFileMessage(o.speed, "the dialog's limit of " +
                                                                       std::to_string(minSpeedup).substr(0, 5) + "x") +
                                     ". Fewer groups (1 or 2, or auto with latency-aware) give faster forms; check "
                                     "\"Write the file even when it runs slower\" to keep it anyway");
            };
            o.result = gkp::exportModel(*model, plan, path, withCheck, progress);
            o.ok = true;
        } catch (const gkp::Cancelled &) {
            o.error = tr("Cancelled: no file was written.");
        } catch (const std::exception &e) {
            o.error = QString::fromStdString(e.what());
        }
        return o;
    }));
}

void ExportDialog::onFinished()
{
    const Outcome o = m_watcher.result();
    m_exportButton->setEnabled(true);
    m_cancelButton->setEnabled(false);
    m_progress->setRange(0, 1);
    m_progress->setValue(o.ok ? 1 : 0);
    if (!o.ok) {
        m_results->setHtml(tr("<p style='color:#b00'><b>Export failed.</b> %1</p>").arg(o.error.toHtmlEscaped()));
        Q_EMIT exportFinished(false);
        return;
    }
    const gkp::ExportResult &r = o.result;
    m_verified = r.verify.passed;
    QString html = tr("<p><b>Wrote</b> %1 (%2 MB, %3).</p>")
                       .arg(QString::fromStdString(r.path).toHtmlEscaped())
                       .arg(double(r.file_bytes) / 1e6, 0, 'f', 2)
                       .arg(r.mode == gkp::ExportMode::Deploy ? tr("deploy") : tr("trainable"));
    html += r.verify.passed
                ? tr("<p style='color:#070'><b>Verified</b>: matches the masked model on %1 random inputs, max "
                     "relative error %2.</p>")
                      .arg(r.verify.inputs)
                      .arg(r.verify.max_rel, 0, 'g', 3)
                : tr("<p style='color:#b00'>Not verified.</p>");
    if (o.speed.runs > 0)
        html += tr("<p>Latency at batch %1 (medians of %5 interleaved runs in the %6 runtime, the original prepared "
                   "the same way), timed before the file was written: <b>%2 ms → %3 ms</b> (%4x).</p>")
                    .arg(o.speed.batch)
                    .arg(o.speed.original_ms, 0, 'f', 3)
                    .arg(o.speed.file_ms, 0, 'f', 3)
                    .arg(o.speed.speedup(), 0, 'f', 2)
                    .arg(o.speed.runs)
                    .arg(QString::fromStdString(o.speed.runtime));
    else if (!o.untimed.isEmpty())
        html += tr("<p>The file was not timed against the original: %1</p>").arg(o.untimed.toHtmlEscaped());
    if (o.runtime == gkp::Runtime::OneDnn)
        html += tr("<p>Forms timed, file verified and both models benchmarked in the oneDNN runtime "
                   "(torch.jit.optimize_for_inference); the file as loaded was verified too.</p>");
    QStringList dense;
    for (const gkp::LayerExport &e : r.layers)
        if (e.form == gkp::LayerForm::MaskedDense)
            dense << QString::fromStdString(e.name).toHtmlEscaped();
    if (!dense.isEmpty())
        html += tr("<p>%n layer(s) kept as masked dense convolutions because their grouped form was slower on this "
                   "machine: %1</p>",
                   nullptr, int(dense.size()))
                    .arg(dense.join(QStringLiteral(", ")));
    m_results->setHtml(html);
    Q_EMIT exportFinished(true);
}
