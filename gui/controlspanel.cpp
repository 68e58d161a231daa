#include "controlspanel.h"

#include "document.h"
#include "export/exporter.h"
#include "model/model.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSlider>
#include <QSpinBox>
#include <QVBoxLayout>

namespace {
constexpr int RatioMergeId = 1001; // a slider drag is one undo step
}

ControlsPanel::ControlsPanel(Document *document, QWidget *parent)
    : QWidget(parent), m_document(document), m_method(new QComboBox), m_importance(new QComboBox),
      m_protectResidual(new QCheckBox(tr("Keep residual streams whole (internal channels only)"))),
      m_ratioSlider(new QSlider(Qt::Horizontal)),
      m_ratioSpin(new QDoubleSpinBox), m_targetCheck(new QCheckBox(tr("Target conv-MACs reduction"))),
      m_targetSpin(new QDoubleSpinBox), m_groupsSpin(new QSpinBox), m_autoGroups(new QCheckBox(tr("auto"))),
      m_latencyAware(new QCheckBox(tr("latency-aware"))),
      m_oneDnn(new QCheckBox(tr("Time layers for the oneDNN runtime"))), m_cluster(new QComboBox), m_select(new QComboBox),
      m_seed(new QSpinBox), m_includeStem(new QCheckBox(tr("Prune the stem (reads the input)"))),
      m_alignChannels(new QCheckBox(tr("Keep channels in multiples of 8"))),
      m_layerBox(new QGroupBox(tr("Selected layer"))), m_layerInclude(new QCheckBox(tr("Prune this layer"))),
      m_layerRatioOverride(new QCheckBox(tr("Own ratio"))), m_layerRatio(new QDoubleSpinBox),
      m_layerGroups(new QComboBox), m_status(new QLabel), m_progress(new QProgressBar),
      m_cancel(new QPushButton(tr("Cancel")))
{
    m_method->addItem(tr("Grouped kernel pruning (GKP)"), QStringLiteral("gkp"));
    m_method->addItem(tr("Coupled channel pruning"), QStringLiteral("channel"));
    m_method->setToolTip(tr("Coupled channel pruning removes whole channels from every layer that holds them "
                            "(through BatchNorm, residual adds, concats and depthwise convolutions): plain smaller "
                            "dense layers, the strong structured baseline GKP is compared with"));
    m_importance->addItem(tr("group norm (every coupled layer)"), QStringLiteral("group-norm"));
    m_importance->addItem(tr("L1 norm of the filters"), QStringLiteral("l1"));
    m_importance->addItem(tr("L2 norm of the filters"), QStringLiteral("l2"));
    m_protectResidual->setToolTip(tr("Channel pruning: leave every channel a residual add couples; GKP: leave the "
                                     "layers that read a residual stream unpruned"));
    m_ratioSlider->setRange(0, 95);
    m_ratioSlider->setToolTip(tr("Fraction of grouped kernels pruned in every group"));
    m_ratioSpin->setRange(0.0, 0.95);
    m_ratioSpin->setDecimals(4);
    m_ratioSpin->setSingleStep(0.01);
    m_targetSpin->setRange(0.01, 0.95);
    m_targetSpin->setDecimals(3);
    m_targetSpin->setSingleStep(0.01);
    m_groupsSpin->setRange(1, 1024);
    m_cluster->addItem(tr("k-means (balanced)"), QStringLiteral("kmeans"));
    m_cluster->addItem(tr("kernel PCA"), QStringLiteral("kpca"));
    m_cluster->addItem(tr("spectral"), QStringLiteral("spectral"));
    m_cluster->addItem(tr("smoothness (data-free)"), QStringLiteral("smooth"));
    m_cluster->addItem(tr("TMI (needs snapshots)"), QStringLiteral("tmi"));
    m_select->addItem(tr("greedy (TMI-GKP)"), QStringLiteral("greedy"));
    m_select->addItem(tr("L2 norm"), QStringLiteral("l2"));
    m_select->addItem(tr("geometric median"), QStringLiteral("gm"));
    m_select->addItem(tr("L2 + geometric median"), QStringLiteral("l2gm"));
    m_seed->setRange(0, 1000000);
    m_alignChannels->setToolTip(tr("Round each group's kept input channels to a multiple of 8: CPU convolution "
                                   "kernels run faster on such channel counts (176 rather than 179)"));
    m_oneDnn->setToolTip(tr("Latency-aware planning times each layer as it runs after "
                            "torch.jit.optimize_for_inference (oneDNN convolutions); layers that pruning would not "
                            "make faster there are left dense and a MACs target is met by the others"));
    m_layerRatio->setRange(0.0, 0.99);
    m_layerRatio->setDecimals(4);
    m_layerRatio->setSingleStep(0.05);

    auto *global = new QGroupBox(tr("Whole model"));
    auto *form = new QFormLayout(global);
    form->addRow(tr("Method"), m_method);
    form->addRow(tr("Channel importance"), m_importance);
    form->addRow(m_protectResidual);
    auto *ratioRow = new QHBoxLayout;
    ratioRow->addWidget(m_ratioSlider, 1);
    ratioRow->addWidget(m_ratioSpin);
    form->addRow(tr("Pruning ratio"), ratioRow);
    auto *targetRow = new QHBoxLayout;
    targetRow->addWidget(m_targetCheck);
    targetRow->addWidget(m_targetSpin);
    form->addRow(targetRow);
    auto *groupsRow = new QHBoxLayout;
    groupsRow->addWidget(m_groupsSpin);
    groupsRow->addWidget(m_autoGroups);
    groupsRow->addWidget(m_latencyAware);
    form->addRow(tr("Groups G"), groupsRow);
    form->addRow(tr("Clustering"), m_cluster);
    form->addRow(tr("Kernel selection"), m_select);
    form->addRow(tr("Seed"), m_seed);
    form->addRow(m_includeStem);
    form->addRow(m_alignChannels);
    form->addRow(m_oneDnn);

    auto *layerForm = new QFormLayout(m_layerBox);
    layerForm->addRow(m_layerInclude);
    auto *layerRatioRow = new QHBoxLayout;
    layerRatioRow->addWidget(m_layerRatioOverride);
    layerRatioRow->addWidget(m_layerRatio, 1);
    layerForm->addRow(tr("Ratio"), layerRatioRow);
    layerForm->addRow(tr("Groups G"), m_layerGroups);

    auto *statusRow = new QHBoxLayout;
    statusRow->addWidget(m_progress, 1);
    statusRow->addWidget(m_cancel);
    m_progress->setTextVisible(true);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(global);
    layout->addWidget(m_layerBox);
    layout->addWidget(m_status);
    layout->addLayout(statusRow);
    layout->addStretch(1);
    m_status->setWordWrap(true);
    m_status->setMinimumHeight(m_status->fontMetrics().lineSpacing() * 4); // room for the layer note

    connect(m_ratioSlider, &QSlider::valueChanged, this, [this](int v) { commitRatio(v / 100.0, true); });
    connect(m_ratioSpin, &QDoubleSpinBox::valueChanged, this, [this](double v) { commitRatio(v, false); });
    for (QCheckBox *c :
         {m_targetCheck, m_autoGroups, m_latencyAware, m_includeStem, m_alignChannels, m_oneDnn, m_protectResidual})
        connect(c, &QCheckBox::toggled, this, &ControlsPanel::commitGlobal);
    connect(m_method, &QComboBox::currentIndexChanged, this, &ControlsPanel::commitGlobal);
    connect(m_importance, &QComboBox::currentIndexChanged, this, &ControlsPanel::commitGlobal);
    connect(m_targetSpin, &QDoubleSpinBox::valueChanged, this, &ControlsPanel::commitGlobal);
    connect(m_groupsSpin, &QSpinBox::valueChanged, this, &ControlsPanel::commitGlobal);
    connect(m_seed, &QSpinBox::valueChanged, this, &ControlsPanel::commitGlobal);
    connect(m_cluster, &QComboBox::currentIndexChanged, this, &ControlsPanel::commitGlobal);
    connect(m_select, &QComboBox::currentIndexChanged, this, &ControlsPanel::commitGlobal);
    connect(m_layerInclude, &QCheckBox::toggled, this, &ControlsPanel::commitLayer);
    connect(m_layerRatioOverride, &QCheckBox::toggled, this, &ControlsPanel::commitLayer);
    connect(m_layerRatio, &QDoubleSpinBox::valueChanged, this, &ControlsPanel::commitLayer);
    connect(m_layerGroups, &QComboBox::currentIndexChanged, this, &ControlsPanel::commitLayer);
    connect(m_cancel, &QPushButton::clicked, document, &Document::cancelPlanning);

    connect(document, &Document::settingsChanged, this, &ControlsPanel::syncFromDocument);
    connect(document, &Document::modelChanged, this, &ControlsPanel::syncFromDocument);
    connect(document, &Document::selectedLayerChanged, this, &ControlsPanel::syncLayer);
    connect(document, &Document::planChanged, this, &ControlsPanel::syncLayer);
    connect(document, &Document::planningStarted, this, [this] {
        m_progress->setRange(0, 0);
        m_progress->setFormat(tr("planning…"));
        m_cancel->setEnabled(true);
    });
    connect(document, &Document::planningProgress, this, [this](int done, int total) {
        m_progress->setRange(0, total);
        m_progress->setValue(done);
        m_progress->setFormat(tr("planning %v/%m layers"));
    });
    auto idle = [this] {
        m_progress->setRange(0, 1);
        m_progress->setValue(1);
        m_progress->setFormat(tr("plan up to date"));
        m_cancel->setEnabled(false);
    };
    connect(document, &Document::planChanged, this, idle);
    connect(document, &Document::planningFailed, this, [this, idle](const QString &message) {
        idle();
        m_progress->setFormat(tr("planning failed"));
        m_status->setText(message);
    });
    syncFromDocument();
}

void ControlsPanel::syncFromDocument()
{
    m_syncing = true;
    const gkp::PlanSettings &s = m_document->settings();
    const bool gkpMethod = s.method != "channel";
    m_method->setCurrentIndex(std::max(0, m_method->findData(QString::fromStdString(s.method))));
    m_importance->setCurrentIndex(std::max(0, m_importance->findData(QString::fromStdString(s.importance))));
    m_importance->setEnabled(!gkpMethod);
    m_protectResidual->setChecked(s.protect_residual);
    m_ratioSlider->setValue(int(std::lround(s.ratio * 100.0)));
    m_ratioSpin->setValue(s.ratio);
    m_targetCheck->setChecked(s.target_macs_reduction.has_value());
    m_targetSpin->setValue(s.target_macs_reduction.value_or(0.43));
    m_targetSpin->setEnabled(s.target_macs_reduction.has_value());
    m_ratioSlider->setEnabled(!s.target_macs_reduction);
    m_ratioSpin->setEnabled(!s.target_macs_reduction);
    m_autoGroups->setChecked(s.groups == 0);
    m_groupsSpin->setEnabled(s.groups != 0);
    m_latencyAware->setEnabled(s.groups == 0);
    if (s.groups > 0)
        m_groupsSpin->setValue(s.groups);
    m_latencyAware->setChecked(s.latency_aware);
    m_oneDnn->setChecked(gkp::runtimeFromString(s.latency_runtime) == gkp::Runtime::OneDnn);
    m_oneDnn->setEnabled(s.groups == 0 && s.latency_aware);
    m_cluster->setCurrentIndex(std::max(0, m_cluster->findData(QString::fromStdString(s.cluster))));
    m_select->setCurrentIndex(std::max(0, m_select->findData(QString::fromStdString(s.select))));
    m_seed->setValue(int(s.seed));
    m_includeStem->setChecked(s.include_stem);
    m_alignChannels->setChecked(s.channel_multiple > 1);
    for (QWidget *w : std::initializer_list<QWidget *>{m_groupsSpin, m_autoGroups, m_latencyAware, m_oneDnn, m_cluster,
                                                       m_select, m_seed, m_includeStem})
        if (!gkpMethod)
            w->setEnabled(false); // GKP settings; coupled channel pruning has none of them
    setEnabled(m_document->model() != nullptr);
    m_syncing = false;
    syncLayer();
}

void ControlsPanel::syncLayer()
{
    m_syncing = true;
    const gkp::Model *model = m_document->model();
    const int layer = m_document->selectedLayer();
    const bool valid = model && layer >= 0 && layer < int(model->inventory().layers.size());
    m_layerBox->setEnabled(valid && model->inventory().layers[std::size_t(layer)].prunable);
    if (valid) {
        const gkp::ConvLayer &l = model->inventory().layers[std::size_t(layer)];
        m_layerBox->setTitle(tr("Layer %1").arg(QString::fromStdString(l.name)));
        const auto &ov = m_document->settings().overrides;
        const auto it = ov.find(l.name);
        const gkp::LayerPlan *p = m_document->layerPlan(layer);
        m_layerInclude->setChecked(p != nullptr || (it != ov.end() && !it->second.off && it->second.include));
        m_layerRatioOverride->setChecked(it != ov.end() && it->second.ratio.has_value());
        m_layerRatio->setEnabled(m_layerRatioOverride->isChecked());
        m_layerRatio->setValue(p ? p->ratio : m_document->settings().ratio);
        m_layerGroups->clear();
        m_layerGroups->addItem(tr("as whole model"), -1);
        m_layerGroups->addItem(tr("auto"), 0);
        for (int64_t g = 1; g <= l.out_channels; ++g)
            if (l.out_channels % g == 0)
                m_layerGroups->addItem(QString::number(g), int(g));
        const int g = it != ov.end() && it->second.groups ? *it->second.groups : -1;
        m_layerGroups->setCurrentIndex(std::max(0, m_layerGroups->findData(g)));
        if (p)
            m_status->setText(tr("%1: G = %2, keeps %3 of %4 input channels per group, %5% energy")
                                  .arg(QString::fromStdString(l.name))
                                  .arg(p->groups)
                                  .arg(p->kept_per_group)
                                  .arg(l.in_channels)
                                  .arg(p->retained_energy * 100.0, 0, 'f', 1) +
                              (p->note.empty() ? QString() : QStringLiteral("\n") + QString::fromStdString(p->note)));
        else if (const gkp::LeftDense *d = m_document->plan().findLeftDense(l.name))
            m_status->setText(tr("%1 is left dense: pruned it ran in %2 ms, dense in %3 ms (latency-aware)")
                                  .arg(QString::fromStdString(l.name))
                                  .arg(d->pruned_ms, 0, 'f', 3)
                                  .arg(d->dense_ms, 0, 'f', 3));
        else
            m_status->setText(l.prunable ? tr("%1 is not pruned").arg(QString::fromStdString(l.name))
                                         : tr("%1 is not prunable: %2")
                                               .arg(QString::fromStdString(l.name), QString::fromStdString(l.reason)));
    } else {
        m_layerBox->setTitle(tr("Selected layer"));
        m_status->clear();
    }
    m_syncing = false;
}

void ControlsPanel::commitRatio(double ratio, bool fromSlider)
{
    if (m_syncing)
        return;
    gkp::PlanSettings s = m_document->settings();
    if (std::abs(s.ratio - ratio) < 1e-9)
        return;
    s.ratio = ratio;
    m_syncing = true;
    if (fromSlider)
        m_ratioSpin->setValue(ratio);
    else
        m_ratioSlider->setValue(int(std::lround(ratio * 100.0)));
    m_syncing = false;
    m_document->changeSettings(s, tr("Pruning ratio %1%").arg(ratio * 100.0, 0, 'f', 1), RatioMergeId);
}

void ControlsPanel::commitGlobal()
{
    if (m_syncing)
        return;
    gkp::PlanSettings s = m_document->settings();
    s.method = m_method->currentData().toString().toStdString();
    s.importance = m_importance->currentData().toString().toStdString();
    s.protect_residual = m_protectResidual->isChecked();
    if (m_targetCheck->isChecked())
        s.target_macs_reduction = m_targetSpin->value();
    else
        s.target_macs_reduction.reset();
    // as gkp plan: a new method or target takes the default allocation (global for the channel
    // method with a target, else uniform); an unchanged one keeps a loaded plan's (GKP global
    // too); a global allocation needs a target
    const gkp::PlanSettings &before = m_document->settings();
    if (s.allocation != "sensitivity" && (s.method != before.method || s.target_macs_reduction.has_value() !=
                                                                           before.target_macs_reduction.has_value()))
        s.allocation = gkp::defaultAllocation(s);
    if (s.allocation == "global" && !s.target_macs_reduction)
        s.allocation = "uniform";
    s.groups = m_autoGroups->isChecked() ? 0 : m_groupsSpin->value();
    if (m_latencyAware->isChecked() != s.latency_aware) // as gkp plan: with timing, every G is a candidate
        s.epsilon = m_latencyAware->isChecked() ? 1.0 : gkp::PlanSettings{}.epsilon;
    s.latency_aware = m_latencyAware->isChecked();
    s.latency_runtime = gkp::toString(m_oneDnn->isChecked() ? gkp::Runtime::OneDnn : gkp::Runtime::Frozen);
    s.cluster = m_cluster->currentData().toString().toStdString();
    s.select = m_select->currentData().toString().toStdString();
    s.seed = uint64_t(m_seed->value());
    s.include_stem = m_includeStem->isChecked();
    if (!m_alignChannels->isChecked())
        s.channel_multiple = 1;
    else if (s.channel_multiple <= 1)
        s.channel_multiple = 8; // a plan loaded with another multiple keeps it
    m_document->changeSettings(s, tr("Change pruning settings"));
}

void ControlsPanel::commitLayer()
{
    if (m_syncing || !m_document->model())
        return;
    const int layer = m_document->selectedLayer();
    if (layer < 0)
        return;
    const gkp::ConvLayer &l = m_document->model()->inventory().layers.at(std::size_t(layer));
    gkp::LayerOverride o;
    o.off = !m_layerInclude->isChecked();
    o.include = m_layerInclude->isChecked();
    if (m_layerRatioOverride->isChecked())
        o.ratio = m_layerRatio->value();
    const int g = m_layerGroups->currentData().toInt();
    if (g >= 0)
        o.groups = g;
    const bool isDefault = !o.off && !o.ratio && !o.groups && !l.excluded_by_default;
    if (isDefault)
        m_document->clearLayerOverride(layer, tr("Reset %1").arg(QString::fromStdString(l.name)));
    else
        m_document->setLayerOverride(layer, o, tr("Edit %1").arg(QString::fromStdString(l.name)));
}
