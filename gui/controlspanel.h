#pragma once

#include <QWidget>

class Document;
class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QGroupBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QSlider;
class QSpinBox;

// Pruning controls: global ratio (slider + spin box), MACs-reduction target, group count, methods,
// seed, stem; the selected layer's include / ratio / G; planning progress with Cancel. Every edit
// is an undoable settings change in the Document.
class ControlsPanel : public QWidget
{
    Q_OBJECT

public:
    explicit ControlsPanel(Document *document, QWidget *parent = nullptr);

    QSlider *ratioSlider() const { return m_ratioSlider; }
    QDoubleSpinBox *ratioSpin() const { return m_ratioSpin; }
    QSpinBox *groupsSpin() const { return m_groupsSpin; }
    QCheckBox *alignChannelsCheck() const { return m_alignChannels; }
    QCheckBox *oneDnnCheck() const { return m_oneDnn; }
    QComboBox *methodCombo() const { return m_method; }
    QCheckBox *protectResidualCheck() const { return m_protectResidual; }

private:
    void syncFromDocument();
    void syncLayer();
    void commitRatio(double ratio, bool fromSlider);
    void commitGlobal();
    void commitLayer();

    Document *m_document;
    bool m_syncing = false;
    QComboBox *m_method;
    QComboBox *m_importance;
    QCheckBox *m_protectResidual;
    QSlider *m_ratioSlider;
    QDoubleSpinBox *m_ratioSpin;
    QCheckBox *m_targetCheck;
    QDoubleSpinBox *m_targetSpin;
    QSpinBox *m_groupsSpin;
    QCheckBox *m_autoGroups;
    QCheckBox *m_latencyAware;
    QCheckBox *m_oneDnn; // latency-aware timing in the oneDNN runtime
    QComboBox *m_cluster;
    QComboBox *m_select;
    QSpinBox *m_seed;
    QCheckBox *m_includeStem;
    QCheckBox *m_alignChannels;
    QGroupBox *m_layerBox;
    QCheckBox *m_layerInclude;
    QCheckBox *m_layerRatioOverride;
    QDoubleSpinBox *m_layerRatio;
    QComboBox *m_layerGroups;
    QLabel *m_status;
    QProgressBar *m_progress;
    QPushButton *m_cancel;
};
