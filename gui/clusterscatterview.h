#pragma once

#include <QList>
#include <QMap>
#include <QPointF>
#include <QRgb>
#include <QString>
#include <QWidget>

#include <map>
#include <memory>
#include <set>
#include <vector>

class Document;
class QComboBox;
class QCustomPlot;
class QLabel;
class QListWidget;
class QPushButton;
namespace gkp {
struct FilterProjection;
struct LayerPlan;
} // namespace gkp

// The filters of the selected layer as points on their first two principal axes, coloured by
// group, with a side list of group sizes. The method box shows the plan's groups ("as planned")
// or previews another clustering method for this layer alone: that clustering (with the plan's G
// and ratio) runs in a worker and the colours follow; "Use for Plan" makes it the plan's method
// (an undoable settings change). Projections and previews run in workers and are cached per layer
// for the current model; nothing is computed while the view is hidden.
class ClusterScatterView : public QWidget
{
    Q_OBJECT

public:
    explicit ClusterScatterView(Document *document, QWidget *parent = nullptr);
    ~ClusterScatterView() override;

    int layer() const { return m_layer; } // the layer shown, -1 for none
    int pointCount() const { return int(m_xy.size()); }
    QList<int> groupSizes() const { return m_sizes; } // indexed by group id; empty when ungrouped
    const std::vector<int> &shownAssignment() const { return m_groupOf; } // group per filter, -1: none
    // Counted from what is drawn, not from the plan, so a styling bug shows in the tests.
    int colourCount() const;                  // distinct point colours in use
    QMap<QRgb, int> pointsPerColour() const;  // drawn points of each colour
    QString method() const;                   // "" (as planned) or the previewed method id
    void setMethod(const QString &method);    // as choosing it in the box
    QString shownMethod() const;              // the method whose groups are drawn
    bool isComputing() const;                 // a projection or preview for the shown layer is pending
    QString noteText() const;

    // Hover support, in plotWidget() coordinates; also used by the tests.
    QWidget *plotWidget() const;
    int filterAt(const QPoint &pos) const; // nearest filter within a few pixels, or -1
    QPoint filterPosition(int filter) const;
    QString filterToolTip(int filter) const;

Q_SIGNALS:
    void updated(); // the plot was rebuilt (new layer, projection, plan or preview)

protected:
    void showEvent(QShowEvent *event) override;

private:
    struct PreviewKey
    {
        int layer, groups;
        double ratio;
        std::string method;
        bool operator<(const PreviewKey &o) const;
    };
    void onModelChanged();
    void updateMethodBox();
    void onMethodChosen();
    void usePreviewForPlan();
    void refresh();
    void requestProjection(int layer);
    void requestPreview(const PreviewKey &key);
    bool previewKey(PreviewKey &key) const; // false: nothing to preview for the shown layer
    void rebuild(const gkp::FilterProjection *projection, const QString &error);
    void showMessageOnly(const QString &note);
    void updateTitle();
    void onMouseMove(const QPoint &pos);

    Document *m_document;
    QComboBox *m_method;
    QPushButton *m_useForPlan;
    QLabel *m_title;
    QLabel *m_note;
    QCustomPlot *m_plot;
    QListWidget *m_groups;

    // Results for the current model; results of an older model are dropped by serial.
    std::map<int, std::shared_ptr<const gkp::FilterProjection>> m_cache;
    std::map<int, QString> m_errors;
    std::set<int> m_pending;
    std::map<PreviewKey, std::shared_ptr<const gkp::LayerPlan>> m_previews;
    std::map<PreviewKey, QString> m_previewErrors;
    std::set<PreviewKey> m_previewPending;
    quint64 m_modelSerial = 0;

    // What is drawn.
    int m_layer = -1;
    std::vector<QPointF> m_xy;
    std::vector<float> m_norms;
    std::vector<int> m_groupOf; // -1: not grouped
    QList<int> m_sizes;
    QString m_shownMethod;
};
