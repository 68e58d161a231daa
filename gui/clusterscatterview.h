#pragma once

#include <QList>
#include <QPointF>
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
namespace gkp {
struct FilterProjection;
}

// The filters of the selected layer as points on their first two principal axes, coloured by the
// group the current plan puts them in, with a side list of group sizes and a combo box that
// switches the clustering method (an undoable settings change; the colours follow the new plan).
// The projection (an SVD) runs in a worker and is cached per layer for the current model.
class ClusterScatterView : public QWidget
{
    Q_OBJECT

public:
    explicit ClusterScatterView(Document *document, QWidget *parent = nullptr);
    ~ClusterScatterView() override;

    int layer() const { return m_layer; } // the layer shown, -1 for none
    int pointCount() const { return int(m_xy.size()); }
    QList<int> groupSizes() const { return m_sizes; } // indexed by group id; empty when unplanned
    int colourCount() const;                          // distinct point colours in use
    QString method() const;                           // clustering method id in the combo box
    bool isComputing() const;                         // the shown layer's projection is pending
    QString noteText() const;

    // Hover support, in plotWidget() coordinates; also used by the tests.
    QWidget *plotWidget() const;
    int filterAt(const QPoint &pos) const; // nearest filter within a few pixels, or -1
    QPoint filterPosition(int filter) const;
    QString filterToolTip(int filter) const;

Q_SIGNALS:
    void updated(); // the plot was rebuilt (new layer, projection or plan)

private:
    void onModelChanged();
    void syncMethod();
    void onMethodChosen(int index);
    void refresh();
    void request(int layer);
    void rebuild(const gkp::FilterProjection *projection, const QString &error);
    void showMessageOnly(const QString &note);
    void updateTitle();
    void onMouseMove(const QPoint &pos);

    Document *m_document;
    QComboBox *m_method;
    QLabel *m_title;
    QLabel *m_note;
    QCustomPlot *m_plot;
    QListWidget *m_groups;

    // Projections of the current model; results of an older model are dropped by serial.
    std::map<int, std::shared_ptr<const gkp::FilterProjection>> m_cache;
    std::map<int, QString> m_errors;
    std::set<int> m_pending;
    quint64 m_modelSerial = 0;

    // What is drawn.
    int m_layer = -1;
    std::vector<QPointF> m_xy;
    std::vector<float> m_norms;
    std::vector<int> m_groupOf; // -1: not in the plan
    QList<int> m_sizes;
};
