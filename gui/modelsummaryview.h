#pragma once

#include <QPoint>
#include <QString>
#include <QWidget>

#include <vector>

class Document;
class QCPBars;
class QCPItemRect;
class QCustomPlot;
class QLabel;

// Where the compute goes and what pruning saves: conv MACs of every layer before (light) and
// after (dark) the current plan, in execution order, and a totals panel (MACs, parameters, size
// on disk, pruned layers). Clicking a bar selects that layer in the Document.
class ModelSummaryView : public QWidget
{
    Q_OBJECT

public:
    explicit ModelSummaryView(Document *document, QWidget *parent = nullptr);

    // Read back from the plotted bars (in MACs), so a plotting bug shows in the tests.
    int barCount() const { return int(m_before.size()); }
    double barMacsBefore(int layer) const;
    double barMacsAfter(int layer) const;
    QString barLabel(int layer) const;  // the tick label under the bar, "" when thinned out
    double macsBefore() const { return m_totalBefore; } // whole model, as in the totals panel
    double macsAfter() const { return m_totalAfter; }
    // Deploy export size: the model file as loaded, and the estimate after pruning (kept
    // parameters x 4 bytes + the file's own overhead + the index tensors the export adds).
    qint64 fileBytes() const { return m_fileBytes; }
    qint64 exportBytesEstimate() const { return m_exportBytes; }
    QString totalsText() const { return m_totalsPlain; } // the totals panel as plain text
    bool isComputing() const;   // the panel shows that a new plan is being computed

    // Mouse support, in plotWidget() coordinates; also used by the tests.
    QWidget *plotWidget() const;
    int barAt(const QPoint &pos) const; // layer whose column contains pos, or -1
    QPoint barCentre(int layer) const;

private:
    int totalsWidth() const;
    void rebuild();
    void updateTicks();
    void clampRange();
    void updateTotals();
    void updateSelection();
    void onMouseMove(const QPoint &pos);
    void onClick(const QPoint &pos);
    QString barToolTip(int layer) const;

    Document *m_document;
    QCustomPlot *m_plot;
    QCPBars *m_barsBefore;
    QCPBars *m_barsAfter;
    QCPItemRect *m_selection; // band behind the selected layer's bars
    QLabel *m_totals;
    QString m_totalsPlain;

    std::vector<double> m_before, m_after; // MACs per layer in execution order
    double m_totalBefore = 0, m_totalAfter = 0;
    double m_scale = 1; // MACs per axis unit (the axis shows K/M/G MACs)
    QPoint m_pressPos;
    int m_tickStep = 0; // every |m_tickStep|-th layer is labelled; < 0: by number, not name
    qint64 m_fileBytes = 0, m_exportBytes = 0;
};
