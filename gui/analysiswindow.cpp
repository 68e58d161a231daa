#include "analysiswindow.h"

#include "util/atomicfile.h"
#include "eval/comparison.h"
#include "eval/frontier.h"
#include "datasetloader.h"
#include "document.h"
#include "model/model.h"
#include "engine/planner.h"
#include "qcustomplotcompat.h"
#include "eval/sensitivity.h"

#include <QCheckBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QSpinBox>
#include <QTabWidget>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <numeric>
#include <optional>

namespace {

std::vector<double> parseList(const QString &text)
{
    std::vector<double> out;
    for (const QString &part : text.split(QRegularExpression(QStringLiteral("[,;\\s]+")), Qt::SkipEmptyParts)) {
        bool ok = false;
        const double v = part.toDouble(&ok);
        if (!ok || !(v > 0.0 && v < 1.0))
            throw gkp::Error("'" + part.toStdString() + "' is not a fraction in (0, 1)");
        out.push_back(v);
    }
    if (out.empty())
        throw gkp::Error("give at least one fraction, e.g. 0.25, 0.5, 0.75");
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

std::vector<std::string> parseGroups(const QString &text)
{
    std::vector<std::string> out;
    for (const QString &part : text.split(QRegularExpression(QStringLiteral("[,;\\s]+")), Qt::SkipEmptyParts)) {
        bool ok = false;
        const int g = part.toInt(&ok);
        const bool named = part == QStringLiteral("auto") || part == QStringLiteral("channel") ||
                           part == QStringLiteral("channel-internal");
        if (!named && (!ok || g < 1))
            throw gkp::Error("'" + part.toStdString() +
                             "' is not a group count (a positive number, auto, channel or channel-internal)");
        if (std::find(out.begin(), out.end(), part.toStdString()) == out.end())
            out.push_back(part.toStdString());
    }
    if (out.empty())
        throw gkp::Error("give at least one group count, e.g. 1, 2, 8, auto");
    return out;
}

QColor groupsColor(const std::string &g)
{
    if (g == "auto")
        return QColor(0x11, 0x11, 0x11);
    if (g == "channel")
        return QColor(0xe3, 0x77, 0xc2);
    if (g == "channel-internal")
        return QColor(0x7f, 0x7f, 0x7f);
    static const QColor palette[] = {QColor(0x2c, 0xa0, 0x2c), QColor(0x1f, 0x77, 0xb4), QColor(0x94, 0x67, 0xbd),
                                     QColor(0xd6, 0x27, 0x28), QColor(0xff, 0x7f, 0x0e), QColor(0x8c, 0x56, 0x4b)};
    int i = 0;
    for (int v = std::max(1, std::stoi(g)); v > 1; v /= 2)
        ++i;
    return palette[std::min(i, 5)];
}

// Distinguishable colours for many curves: hues around the circle, alternating lightness.
QColor curveColor(int i, int n)
{
    return QColor::fromHsv((i * 360 / std::max(1, n)) % 360, 200, i % 2 ? 150 : 220);
}

QColor granularityColor(const std::string &g)
{
    if (g == "gkp")
        return QColor(0xd6, 0x27, 0x28);
    if (g == "filter")
        return QColor(0x1f, 0x77, 0xb4);
    if (g == "channel")
        return QColor(0x2c, 0xa0, 0x2c);
    if (g == "channel-internal")
        return QColor(0x17, 0xbe, 0xcf);
    if (g == "gkp-g1")
        return QColor(0x8c, 0x56, 0x4b);
    if (g == "kernel")
        return QColor(0x94, 0x67, 0xbd);
    return QColor(0xff, 0x7f, 0x0e); // weight
}

QString granularityLabel(const std::string &g)
{
    if (g == "gkp")
        return AnalysisWindow::tr("Grouped kernel (GKP)");
    if (g == "filter")
        return AnalysisWindow::tr("Filter (L1)");
    if (g == "channel")
        return AnalysisWindow::tr("Channel (coupled, group norm)");
    if (g == "channel-internal")
        return AnalysisWindow::tr("Channel (coupled, internal only)");
    if (g == "gkp-g1")
        return AnalysisWindow::tr("GKP with G = 1");
    if (g == "kernel")
        return AnalysisWindow::tr("Kernel (L1, sparse)");
    return AnalysisWindow::tr("Weight (|w|, sparse)");
}

// A frontier point's sweep setting, as its legend and status show it.
QString pointLabel(const gkp::FrontierPoint &p)
{
    const QString importance = QString::fromStdString(p.importance);
    if (p.groups == "channel")
        return AnalysisWindow::tr("channel pruning (coupled, %1)").arg(importance);
    if (p.groups == "channel-internal")
        return AnalysisWindow::tr("channel pruning (coupled, %1, internal only)").arg(importance);
    if (p.groups == "auto")
        return AnalysisWindow::tr("G auto (latency-aware)");
    return AnalysisWindow::tr("G = %1").arg(QString::fromStdString(p.groups));
}

// Whether GKP beat channel pruning at equal speed (see gkp::frontierVerdict).
QString verdictText(const gkp::Frontier &f)
{
    const gkp::FrontierVerdict &v = f.verdict;
    if (v.gkp < 0 || v.channel < 0)
        return AnalysisWindow::tr("No GKP point with G > 1 in most of its layers to set against a channel-pruning "
                                  "point at equal speed.");
    const gkp::FrontierPoint &g = f.points.at(std::size_t(v.gkp)), &c = f.points.at(std::size_t(v.channel));
    const QString lead = AnalysisWindow::tr("%1 at %2 % leads the channel-pruning points it is at most 1.10x slower "
                                            "than by %3 points at least (closest: %4 at %5 %).")
                             .arg(pointLabel(g))
                             .arg(100.0 * g.target, 0, 'f', 0)
                             .arg(100.0 * v.margin, 0, 'f', 1)
                             .arg(pointLabel(c))
                             .arg(100.0 * c.target, 0, 'f', 0);
    return (v.reached ? AnalysisWindow::tr("GKP beats channel pruning at equal speed: ")
                      : AnalysisWindow::tr("GKP does not beat channel pruning by 3 points at equal speed: ")) +
           lead;
}

QCustomPlot *makePlot(const QString &x, const QString &y)
{
    auto *plot = new QCustomPlot;
    plot->xAxis->setLabel(x);
    plot->yAxis->setLabel(y);
    plot->legend->setVisible(true);
    QFont f = plot->font();
    f.setPointSizeF(f.pointSizeF() * 0.85);
    plot->legend->setFont(f);
    plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    plot->setMinimumSize(560, 360);
    return plot;
}

// The legend beside the curves, packed at the top (a grid cell would spread its entries over the height).
void legendBeside(QCustomPlot *plot)
{
    auto *side = new QCPLayoutGrid;
    plot->plotLayout()->addElement(0, 1, side);
    plot->plotLayout()->setColumnStretchFactor(1, 0.001);
    side->addElement(0, 0, plot->legend);
    side->addElement(1, 0, new QCPLayoutElement(plot));
    side->setRowStretchFactor(0, 0.001);
    // Room for the legend's frame on the right (it is drawn one pixel outside the legend's
    // rectangle: flush with the widget's edge, the right side was cut off), and its top level
    // with the top of the axis rect.
    auto *top = new QCPMarginGroup(plot);
    plot->axisRect()->setMarginGroup(QCP::msTop, top);
    side->setAutoMargins(QCP::msTop);
    side->setMarginGroup(QCP::msTop, top);
    side->setMargins(QMargins(6, 0, 8, 0));
}

} // namespace

AnalysisWindow::AnalysisWindow(Document *document, QWidget *parent)
    : QWidget(parent, Qt::Window), m_document(document),
      m_choice(DatasetChoice::defaultFor(document->modelPath())), m_datasetLabel(new QLabel),
      m_tabs(new QTabWidget), m_ratios(new QLineEdit(QStringLiteral("0.25, 0.5, 0.75"))),
      m_reductions(new QLineEdit(QStringLiteral("0.2, 0.3, 0.43, 0.5"))),
      m_sensitivityAllocation(new QCheckBox(tr("GKP ratios by the sensitivity measured on the first tab"))),
      m_sensitivityPlot(makePlot(tr("pruning ratio of the layer"), tr("top-1 drop (points)"))),
      m_comparisonPlot(makePlot(tr("conv-MACs reduction (%)"), tr("top-1 (%)"))),
      m_runSensitivity(new QPushButton(tr("Measure"))), m_runComparison(new QPushButton(tr("Compare"))),
      m_useAllocation(new QPushButton(tr("Use for MACs-Target Allocation"))),
      m_saveSensitivity(new QPushButton(tr("Save…"))), m_saveComparison(new QPushButton(tr("Save…"))),
      m_frontierGroups(new QLineEdit(QStringLiteral("channel, 1, 2, 4, 8, auto"))),
      m_frontierTargets(new QLineEdit(QStringLiteral("0.2, 0.3, 0.4, 0.5, 0.6"))),
      m_frontierAccuracy(new QCheckBox(tr("Top-1 on the data (else retained kernel energy)"))),
      m_frontierBatch(new QSpinBox), m_frontierPlot(makePlot(tr("time of the exported file / the original's, same runs"), tr("top-1 (%)"))),
      m_runFrontier(new QPushButton(tr("Measure"))), m_saveFrontier(new QPushButton(tr("Save…"))),
      m_cancelButton(new QPushButton(tr("Cancel"))), m_progress(new QProgressBar), m_status(new QLabel)
{
    setWindowTitle(tr("Sensitivity and Granularity Comparison"));
    m_choice.recalibration = 1000; // the fair protocol for one-shot pruning; the dialog changes it
    auto *datasetButton = new QPushButton(tr("Dataset…"));
    auto *top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Data:")));
    top->addWidget(m_datasetLabel, 1);
    top->addWidget(datasetButton);

    auto *sensitivityTab = new QWidget;
    {
        auto *row = new QHBoxLayout;
        row->addWidget(new QLabel(tr("Ratios")));
        row->addWidget(m_ratios, 1);
        row->addWidget(m_runSensitivity);
        auto *bottom = new QHBoxLayout;
        bottom->addStretch(1);
        bottom->addWidget(m_useAllocation);
        bottom->addWidget(m_saveSensitivity);
        auto *l = new QVBoxLayout(sensitivityTab);
        l->addLayout(row);
        l->addWidget(m_sensitivityPlot, 1);
        l->addLayout(bottom);
    }
    auto *comparisonTab = new QWidget;
    {
        auto *row = new QHBoxLayout;
        row->addWidget(new QLabel(tr("MACs reductions")));
        row->addWidget(m_reductions, 1);
        row->addWidget(m_runComparison);
        auto *bottom = new QHBoxLayout;
        bottom->addWidget(m_sensitivityAllocation);
        bottom->addStretch(1);
        bottom->addWidget(m_saveComparison);
        auto *l = new QVBoxLayout(comparisonTab);
        l->addLayout(row);
        l->addWidget(m_comparisonPlot, 1);
        l->addLayout(bottom);
    }
    auto *frontierTab = new QWidget;
    {
        m_frontierBatch->setRange(0, 4096);
        m_frontierBatch->setSpecialValueText(tr("model's"));
        m_frontierBatch->setToolTip(tr("Batch the files are exported for and timed at"));
        m_frontierAccuracy->setChecked(true);
        auto *row = new QHBoxLayout;
        row->addWidget(new QLabel(tr("G")));
        row->addWidget(m_frontierGroups, 1);
        row->addWidget(new QLabel(tr("MACs targets")));
        row->addWidget(m_frontierTargets, 2);
        row->addWidget(new QLabel(tr("Batch")));
        row->addWidget(m_frontierBatch);
        row->addWidget(m_runFrontier);
        auto *bottom = new QHBoxLayout;
        bottom->addWidget(m_frontierAccuracy);
        bottom->addStretch(1);
        bottom->addWidget(new QLabel(tr("Click a point to use its plan.")));
        bottom->addWidget(m_saveFrontier);
        auto *l = new QVBoxLayout(frontierTab);
        l->addLayout(row);
        l->addWidget(m_frontierPlot, 1);
        l->addLayout(bottom);
    }
    m_tabs->addTab(sensitivityTab, tr("Layer Sensitivity"));
    m_tabs->addTab(comparisonTab, tr("Granularity Comparison"));
    m_tabs->addTab(frontierTab, tr("Accuracy–Latency Frontier"));

    auto *progressRow = new QHBoxLayout;
    progressRow->addWidget(m_progress, 1);
    progressRow->addWidget(m_cancelButton);
    m_status->setWordWrap(true);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_tabs, 1);
    layout->addLayout(progressRow);
    layout->addWidget(m_status);

    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    m_cancelButton->setEnabled(false);
    m_useAllocation->setEnabled(false);
    m_saveSensitivity->setEnabled(false);
    m_saveComparison->setEnabled(false);
    m_saveFrontier->setEnabled(false);
    m_sensitivityAllocation->setEnabled(false);
    legendBeside(m_sensitivityPlot);
    legendBeside(m_frontierPlot); // never over a point
    m_comparisonPlot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignLeft | Qt::AlignBottom);
    setDatasetChoice(m_choice);
    resize(900, 640);

    connect(datasetButton, &QPushButton::clicked, this, &AnalysisWindow::chooseDataset);
    connect(m_runSensitivity, &QPushButton::clicked, this, &AnalysisWindow::startSensitivity);
    connect(m_runComparison, &QPushButton::clicked, this, &AnalysisWindow::startComparison);
    connect(m_useAllocation, &QPushButton::clicked, this, &AnalysisWindow::useSensitivityForAllocation);
    connect(m_saveSensitivity, &QPushButton::clicked, this, [this] { save(true); });
    connect(m_saveComparison, &QPushButton::clicked, this, [this] { save(false); });
    connect(m_runFrontier, &QPushButton::clicked, this, &AnalysisWindow::startFrontier);
    connect(m_saveFrontier, &QPushButton::clicked, this, [this] { save(false, true); });
    connect(m_frontierPlot, &QCustomPlot::plottableClick, this,
            [this](QCPAbstractPlottable *plottable, int dataIndex, QMouseEvent *) {
                for (int g = 0; g < m_frontierPlot->graphCount(); ++g)
                    if (m_frontierPlot->graph(g) == plottable && g < int(m_frontierGraphPoints.size()) &&
                        dataIndex >= 0 && dataIndex < int(m_frontierGraphPoints[std::size_t(g)].size()))
                        loadFrontierPoint(m_frontierGraphPoints[std::size_t(g)][std::size_t(dataIndex)]);
            });
    connect(m_cancelButton, &QPushButton::clicked, this, &AnalysisWindow::cancel);
    connect(&m_watcher, &QFutureWatcherBase::finished, this, &AnalysisWindow::onFinished);
    connect(m_document, &Document::modelChanged, this, [this] {
        cancel();
        m_sensitivity.reset();
        m_comparison.reset();
        m_frontier.reset();
        m_frontierGraphPoints.clear();
        m_markedPoint = -1;
        m_sensitivityPlot->clearGraphs();
        m_comparisonPlot->clearGraphs();
        m_frontierPlot->clearGraphs();
        m_frontierPlot->clearItems();
        m_frontierPlot->replot(QCustomPlot::rpQueuedReplot);
        m_saveFrontier->setEnabled(false);
        m_sensitivityPlot->replot(QCustomPlot::rpQueuedReplot);
        m_comparisonPlot->replot(QCustomPlot::rpQueuedReplot);
        m_useAllocation->setEnabled(false);
        m_sensitivityAllocation->setEnabled(false);
    });
}

AnalysisWindow::~AnalysisWindow()
{
    cancel();
    m_watcher.waitForFinished();
}

void AnalysisWindow::setDatasetChoice(const DatasetChoice &choice)
{
    m_choice = choice;
    m_datasetLabel->setText(choice.summary());
}

void AnalysisWindow::setRatios(const QString &text)
{
    m_ratios->setText(text);
}

void AnalysisWindow::setReductions(const QString &text)
{
    m_reductions->setText(text);
}

bool AnalysisWindow::isRunning() const
{
    return m_watcher.isRunning();
}

QString AnalysisWindow::statusText() const
{
    return m_status->text();
}

void AnalysisWindow::cancel()
{
    if (m_cancel)
        m_cancel->store(true);
}

void AnalysisWindow::chooseDataset()
{
    DatasetDialog dialog(m_choice, this);
    if (dialog.exec() == QDialog::Accepted)
        setDatasetChoice(dialog.choice());
}

void AnalysisWindow::setBusy(bool busy, const QString &status)
{
    m_runSensitivity->setEnabled(!busy);
    m_runComparison->setEnabled(!busy);
    m_runFrontier->setEnabled(!busy);
    m_cancelButton->setEnabled(busy);
    if (busy) {
        m_progress->setRange(0, 0);
        m_useAllocation->setEnabled(false);
    }
    m_status->setText(status);
}

std::function<bool(int, int)> AnalysisWindow::progressCallback()
{
    auto cancel = m_cancel;
    QPointer<QProgressBar> bar(m_progress);
    return [cancel, bar](int done, int total) {
        QMetaObject::invokeMethod(bar, [bar, done, total] {
            if (bar) {
                bar->setRange(0, total);
                bar->setValue(done);
            }
        });
        return !cancel->load();
    };
}

void AnalysisWindow::startSensitivity()
{
    if (isRunning() || !m_document->model())
        return;
    gkp::SensitivityOptions options;
    try {
        options.ratios = parseList(m_ratios->text());
    } catch (const gkp::Error &e) {
        m_status->setText(tr("Ratios: %1").arg(QString::fromUtf8(e.what())));
        return;
    }
    m_cancel = std::make_shared<std::atomic<bool>>(false);
    auto progress = progressCallback();
    const auto model = m_document->sharedModel();
    const auto planner = m_document->sharedPlanner();
    const gkp::PlanSettings settings = m_document->settings();
    const DatasetChoice choice = m_choice;
    setBusy(true, tr("Measuring layer sensitivity on %1…").arg(choice.summary()));
    m_watcher.setFuture(QtConcurrent::run([=]() mutable -> Outcome {
        Outcome o;
        try {
            const LoadedData data = loadDatasetChoice(choice, model->inventory(), progress);
            options.recalibration = choice.recalibration > 0 ? &data.calibration : nullptr;
            o.sensitivity = std::make_shared<gkp::SensitivityTable>(
                gkp::measureSensitivity(*planner, settings, data.eval, options, progress));
        } catch (const gkp::Cancelled &) {
            o.cancelled = true;
        } catch (const std::exception &e) {
            o.error = QString::fromStdString(e.what());
        }
        return o;
    }));
}

void AnalysisWindow::startComparison()
{
    if (isRunning() || !m_document->model())
        return;
    gkp::ComparisonOptions options;
    try {
        options.reductions = parseList(m_reductions->text());
    } catch (const gkp::Error &e) {
        m_status->setText(tr("MACs reductions: %1").arg(QString::fromUtf8(e.what())));
        return;
    }
    gkp::PlanSettings settings = m_document->settings();
    settings.allocation = "uniform";
    if (m_sensitivityAllocation->isChecked() && m_sensitivity) {
        settings.allocation = "sensitivity";
        settings.sensitivity = m_sensitivity->curves();
    }
    m_cancel = std::make_shared<std::atomic<bool>>(false);
    auto progress = progressCallback();
    const auto model = m_document->sharedModel();
    const auto planner = m_document->sharedPlanner();
    const DatasetChoice choice = m_choice;
    setBusy(true, tr("Comparing granularities on %1…").arg(choice.summary()));
    m_watcher.setFuture(QtConcurrent::run([=]() mutable -> Outcome {
        Outcome o;
        try {
            const LoadedData data = loadDatasetChoice(choice, model->inventory(), progress);
            options.recalibration = choice.recalibration > 0 ? &data.calibration : nullptr;
            o.comparison = std::make_shared<gkp::ComparisonTable>(
                gkp::compareAccuracy(*planner, settings, data.eval, options, progress));
        } catch (const gkp::Cancelled &) {
            o.cancelled = true;
        } catch (const std::exception &e) {
            o.error = QString::fromStdString(e.what());
        }
        return o;
    }));
}

void AnalysisWindow::setFrontierSweep(const QString &groups, const QString &targets)
{
    m_frontierGroups->setText(groups);
    m_frontierTargets->setText(targets);
}

void AnalysisWindow::setFrontierAccuracy(bool onDataset)
{
    m_frontierAccuracy->setChecked(onDataset);
}

void AnalysisWindow::startFrontier()
{
    if (isRunning() || !m_document->model())
        return;
    gkp::FrontierOptions options;
    try {
        options.groups = parseGroups(m_frontierGroups->text());
        options.targets = parseList(m_frontierTargets->text());
    } catch (const gkp::Error &e) {
        m_status->setText(tr("Frontier: %1").arg(QString::fromUtf8(e.what())));
        return;
    }
    if (!m_frontierDir.isValid()) {
        m_status->setText(tr("Frontier: no temporary folder for the points' plans"));
        return;
    }
    options.settings = m_document->settings();
    options.settings.allocation = "uniform";
    options.runtime = gkp::runtimeFromString(options.settings.latency_runtime).value_or(gkp::Runtime::Frozen);
    options.batch = m_frontierBatch->value();
    options.runs = 5;
    options.dir = m_frontierDir.path().toStdString();
    m_cancel = std::make_shared<std::atomic<bool>>(false);
    auto progress = progressCallback();
    const auto model = m_document->sharedModel();
    const DatasetChoice choice = m_choice;
    const bool accuracy = m_frontierAccuracy->isChecked();
    setBusy(true, accuracy ? tr("Measuring the accuracy-latency frontier on %1…").arg(choice.summary())
                           : tr("Measuring the energy-latency frontier…"));
    m_watcher.setFuture(QtConcurrent::run([=]() mutable -> Outcome {
        Outcome o;
        try {
            std::optional<LoadedData> data;
            if (accuracy) {
                data.emplace(loadDatasetChoice(choice, model->inventory(), progress));
                options.data = &data->eval;
                options.calibration = choice.recalibration > 0 ? &data->calibration : nullptr;
            }
            o.frontier = std::make_shared<gkp::Frontier>(gkp::computeFrontier(*model, options, progress));
        } catch (const gkp::Cancelled &) {
            o.cancelled = true;
        } catch (const std::exception &e) {
            o.error = QString::fromStdString(e.what());
        }
        return o;
    }));
}

void AnalysisWindow::onFinished()
{
    const Outcome o = m_watcher.result();
    setBusy(false, QString());
    m_progress->setRange(0, 1);
    m_progress->setValue(o.error.isEmpty() && !o.cancelled ? 1 : 0);
    const QString protocol = m_choice.recalibration > 0
                                 ? tr("every pruned variant evaluated after BatchNorm recalibration on %1 training "
                                      "images")
                                       .arg(m_choice.recalibration)
                                 : tr("BatchNorm statistics as stored (no recalibration)");
    if (o.cancelled) {
        m_status->setText(tr("Cancelled."));
    } else if (!o.error.isEmpty()) {
        m_status->setText(tr("<span style='color:#b00'>Failed: %1</span>").arg(o.error.toHtmlEscaped()));
    } else if (o.sensitivity) {
        showSensitivity(*o.sensitivity);
        m_status->setText(tr("Unpruned top-1 %1 % on %2 images; %3.")
                              .arg(100.0 * o.sensitivity->baseline_top1, 0, 'f', 2)
                              .arg(o.sensitivity->samples)
                              .arg(protocol));
    } else if (o.frontier) {
        showFrontier(*o.frontier);
        int pareto = 0;
        for (const gkp::FrontierPoint &p : o.frontier->points)
            pareto += p.pareto ? 1 : 0;
        m_status->setText(tr("%1 points, %2 on the frontier; original %3 ms in the %4 runtime at batch %5 (each "
                             "file timed against it in the same interleaved runs)%6. %7")
                              .arg(o.frontier->points.size())
                              .arg(pareto)
                              .arg(o.frontier->original_latency_ms, 0, 'f', 2)
                              .arg(QString::fromStdString(o.frontier->runtime))
                              .arg(o.frontier->batch)
                              .arg(o.frontier->quality == "top1" ? QStringLiteral("; ") + protocol : QString())
                              .arg(verdictText(*o.frontier)));
    } else if (o.comparison) {
        showComparison(*o.comparison);
        m_status->setText(tr("Unpruned top-1 %1 % on %2 images; %3. MACs of kernel and weight pruning are sparse "
                             "MACs (nonzero weights).")
                              .arg(100.0 * o.comparison->baseline_top1, 0, 'f', 2)
                              .arg(o.comparison->samples)
                              .arg(protocol));
    }
    Q_EMIT finished(o.error.isEmpty() && !o.cancelled);
}

void AnalysisWindow::showSensitivity(const gkp::SensitivityTable &t)
{
    m_sensitivity = std::make_shared<gkp::SensitivityTable>(t);
    QCustomPlot *plot = m_sensitivityPlot;
    plot->clearGraphs();
    const int n = int(t.layers.size());
    double maxDrop = 0.01;
    for (int l = 0; l < n; ++l) {
        QCPGraph *g = plot->addGraph();
        g->setName(QString::fromStdString(t.layers[std::size_t(l)]));
        g->setPen(QPen(curveColor(l, n), 1.6));
        g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 5));
        QVector<double> x{0.0}, y{0.0}; // unpruned: no drop
        for (std::size_t r = 0; r < t.ratios.size(); ++r) {
            x << t.ratios[r];
            y << 100.0 * t.drop(std::size_t(l), r);
            maxDrop = std::max(maxDrop, y.back());
        }
        g->setData(x, y, /*alreadySorted=*/true);
    }
    plot->xAxis->setRange(0.0, 1.0);
    plot->yAxis->setRange(std::min(0.0, -0.05 * maxDrop), maxDrop * 1.08);
    plot->replot(QCustomPlot::rpQueuedReplot);
    m_useAllocation->setEnabled(true);
    m_saveSensitivity->setEnabled(true);
    m_sensitivityAllocation->setEnabled(true);
}

void AnalysisWindow::showComparison(const gkp::ComparisonTable &t)
{
    m_comparison = std::make_shared<gkp::ComparisonTable>(t);
    QCustomPlot *plot = m_comparisonPlot;
    plot->clearGraphs();
    plot->clearItems();
    double lo = 100.0 * t.baseline_top1, maxX = 1.0;
    for (const std::string &gran : t.granularities) {
        QCPGraph *g = plot->addGraph();
        g->setName(granularityLabel(gran));
        g->setPen(QPen(granularityColor(gran), 2.0));
        g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 6));
        QVector<double> x, y;
        for (const gkp::ComparisonPoint &p : t.points)
            if (p.granularity == gran) {
                x << 100.0 * p.macs_reduction;
                y << 100.0 * p.top1;
                lo = std::min(lo, y.back());
                maxX = std::max(maxX, x.back());
            }
        g->setData(x, y);
    }
    auto *base = new QCPItemStraightLine(plot);
    base->point1->setCoords(0, 100.0 * t.baseline_top1);
    base->point2->setCoords(1, 100.0 * t.baseline_top1);
    base->setPen(QPen(Qt::gray, 1, Qt::DashLine));
    auto *label = new QCPItemText(plot);
    label->position->setType(QCPItemPosition::ptAxisRectRatio);
    label->position->setCoords(0.99, 0.02);
    label->setPositionAlignment(Qt::AlignRight | Qt::AlignTop);
    label->setText(tr("dashed: unpruned %1 %").arg(100.0 * t.baseline_top1, 0, 'f', 2));
    plot->xAxis->setRange(0.0, std::ceil(maxX / 10.0) * 10.0 + 5.0);
    plot->yAxis->setRange(std::max(0.0, lo - 5.0), std::min(100.0, 100.0 * t.baseline_top1 + 3.0));
    plot->replot(QCustomPlot::rpQueuedReplot);
    m_saveComparison->setEnabled(true);
}

void AnalysisWindow::showFrontier(const gkp::Frontier &f)
{
    m_frontier = std::make_shared<gkp::Frontier>(f);
    m_markedPoint = -1;
    QCustomPlot *plot = m_frontierPlot;
    plot->clearGraphs();
    plot->clearItems();
    m_frontierGraphPoints.clear();
    const bool top1 = f.quality == "top1";
    plot->yAxis->setLabel(top1 ? tr("top-1 (%)") : tr("retained kernel energy (%)"));
    double xMin = 1.0, xMax = 1.0, yLo = 100.0, yHi = 0.0; // x: time relative to the original
    std::vector<std::string> order;
    for (const gkp::FrontierPoint &p : f.points)
        if (std::find(order.begin(), order.end(), p.groups) == order.end())
            order.push_back(p.groups);
    for (const std::string &groups : order) {
        QCPGraph *g = plot->addGraph();
        const gkp::FrontierPoint &first =
            *std::find_if(f.points.begin(), f.points.end(), [&](const auto &p) { return p.groups == groups; });
        g->setName(pointLabel(first));
        g->setLineStyle(QCPGraph::lsNone);
        // channel pruning as squares: a different method, not another G
        if (first.isChannel())
            g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssSquare, groupsColor(groups), groupsColor(groups), 8));
        else
            g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, groupsColor(groups), 8));
        g->setPen(QPen(groupsColor(groups)));
        QVector<double> x, y;
        std::vector<int> indices;
        for (std::size_t i = 0; i < f.points.size(); ++i)
            if (f.points[i].groups == groups) {
                x << f.points[i].relativeTime();
                y << 100.0 * f.points[i].quality();
                indices.push_back(int(i));
            }
        // QCPGraph keeps its data sorted by x: store the points in that order too
        std::vector<int> perm(std::size_t(x.size()));
        std::iota(perm.begin(), perm.end(), 0);
        std::stable_sort(perm.begin(), perm.end(), [&](int a, int b) { return x[a] < x[b]; });
        QVector<double> xs, ys;
        std::vector<int> sorted;
        for (int k : perm) {
            xs << x[k];
            ys << y[k];
            sorted.push_back(indices[std::size_t(k)]);
            xMin = std::min(xMin, x[k]);
            xMax = std::max(xMax, x[k]);
            yLo = std::min(yLo, y[k]);
            yHi = std::max(yHi, y[k]);
        }
        g->setData(xs, ys, /*alreadySorted=*/true);
        m_frontierGraphPoints.push_back(std::move(sorted));
    }
    { // the frontier: the Pareto points joined in latency order
        QCPGraph *line = plot->addGraph();
        line->setName(tr("Pareto frontier"));
        line->setPen(QPen(QColor(0x55, 0x55, 0x55), 1.4, Qt::DashLine));
        QVector<double> x, y;
        std::vector<const gkp::FrontierPoint *> pareto;
        for (const gkp::FrontierPoint &p : f.points)
            if (p.pareto)
                pareto.push_back(&p);
        std::sort(pareto.begin(), pareto.end(),
                  [](const auto *a, const auto *b) { return a->relativeTime() < b->relativeTime(); });
        std::vector<int> indices;
        for (const gkp::FrontierPoint *p : pareto) {
            x << p->relativeTime();
            y << 100.0 * p->quality();
            indices.push_back(int(p - f.points.data()));
        }
        line->setData(x, y, /*alreadySorted=*/true);
        m_frontierGraphPoints.push_back(std::move(indices)); // drawn over its points: a click on one is theirs
    }
    auto *original = new QCPItemStraightLine(plot);
    original->point1->setCoords(1.0, 0);
    original->point2->setCoords(1.0, 1);
    original->setPen(QPen(Qt::gray, 1, Qt::DotLine));
    auto *label = new QCPItemText(plot);
    label->position->setCoords(1.0, yLo);
    label->setPositionAlignment(Qt::AlignRight | Qt::AlignBottom);
    label->setText(tr("original %1 ms").arg(f.original_latency_ms, 0, 'g', 3) + QStringLiteral(" "));
    label->setColor(Qt::gray);
    // below the points: a point at the original's latency (or under its label) still takes clicks
    original->setLayer(QStringLiteral("grid"));
    label->setLayer(QStringLiteral("grid"));
    const double xPad = std::max(1e-6, 0.08 * (xMax - xMin));
    plot->xAxis->setRange(std::max(0.0, xMin - xPad), xMax + xPad);
    const double pad = std::max(0.5, 0.08 * (yHi - yLo));
    plot->yAxis->setRange(std::max(0.0, yLo - pad), yHi + pad); // a point at 100 % stays inside
    plot->replot(QCustomPlot::rpQueuedReplot);
    m_saveFrontier->setEnabled(true);
}

void AnalysisWindow::loadFrontierPoint(int index)
{
    if (!m_frontier || index < 0 || index >= int(m_frontier->points.size()))
        return;
    const gkp::FrontierPoint &p = m_frontier->points[std::size_t(index)];
    try {
        m_document->loadPlan(QString::fromStdString(p.plan));
    } catch (const gkp::Error &e) {
        m_status->setText(tr("<span style='color:#b00'>%1</span>").arg(QString::fromUtf8(e.what()).toHtmlEscaped()));
        return;
    }
    m_markedPoint = index;
    // the current plan: a ring around its point (replaced on the next click), anchored to the
    // point's plot coordinates so that it stays on it when the layout or the ranges change
    for (int i = m_frontierPlot->itemCount() - 1; i >= 0; --i)
        if (m_frontierPlot->item(i)->objectName().startsWith(QStringLiteral("marked")))
            m_frontierPlot->removeItem(i);
    auto *anchor = new QCPItemTracer(m_frontierPlot);
    anchor->setObjectName(QStringLiteral("marked-anchor"));
    anchor->setStyle(QCPItemTracer::tsNone);
    anchor->position->setCoords(p.relativeTime(), 100.0 * p.quality());
    anchor->setSelectable(false);
    anchor->setLayer(QStringLiteral("grid"));
    auto *ring = new QCPItemEllipse(m_frontierPlot);
    ring->setObjectName(QStringLiteral("marked"));
    for (QCPItemPosition *corner : {ring->topLeft, ring->bottomRight}) {
        corner->setType(QCPItemPosition::ptAbsolute);
        corner->setParentAnchor(anchor->position);
    }
    ring->topLeft->setCoords(-9, -9);
    ring->bottomRight->setCoords(9, 9);
    ring->setPen(QPen(Qt::black, 2));
    ring->setLayer(QStringLiteral("grid")); // the point inside it stays clickable
    m_frontierPlot->replot(QCustomPlot::rpQueuedReplot);
    m_status->setText(tr("Plan of %1 at %2 % target loaded: the file cut %3 % of the conv MACs and ran %4x "
                         "against the original (Edit ▸ Undo restores the previous plan).")
                          .arg(pointLabel(p))
                          .arg(100.0 * p.target, 0, 'f', 0)
                          .arg(100.0 * p.file_macs_cut, 0, 'f', 1)
                          .arg(p.speedup(), 0, 'f', 2));
}

void AnalysisWindow::useSensitivityForAllocation()
{
    if (!m_sensitivity)
        return;
    gkp::PlanSettings s = m_document->settings();
    s.allocation = "sensitivity";
    s.sensitivity = m_sensitivity->curves();
    if (!s.target_macs_reduction)
        s.target_macs_reduction = 1.0 - double(m_document->plan().totals.macs_after) /
                                            double(std::max<int64_t>(1, m_document->plan().totals.macs_before));
    m_document->changeSettings(s, tr("Sensitivity-Aware Allocation"));
    m_status->setText(tr("The MACs target is now spread by sensitivity: less sensitive layers are pruned more."));
}

void AnalysisWindow::save(bool sensitivity, bool frontier)
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Save Results"), QString(),
                                                      tr("JSON (*.json);;CSV (*.csv)"));
    if (path.isEmpty())
        return;
    const bool csv = path.endsWith(QStringLiteral(".csv"), Qt::CaseInsensitive);
    try {
        std::string text;
        if (frontier && m_frontier)
            text = csv ? gkp::frontierToCsv(*m_frontier) : gkp::frontierToJson(*m_frontier);
        else if (sensitivity && m_sensitivity)
            text = csv ? gkp::sensitivityToCsv(*m_sensitivity) : gkp::sensitivityToJson(*m_sensitivity);
        else if (!sensitivity && !frontier && m_comparison)
            text = csv ? gkp::comparisonToCsv(*m_comparison) : gkp::comparisonToJson(*m_comparison);
        gkp::writeFileAtomically(path.toStdString(), text);
        m_status->setText(tr("Saved %1.").arg(path));
    } catch (const gkp::Error &e) {
        m_status->setText(tr("<span style='color:#b00'>%1</span>").arg(QString::fromUtf8(e.what()).toHtmlEscaped()));
    }
}
