#pragma once

#include <QFrame>
#include <QImage>

class GranularityMaskWidget;
class QLabel;
namespace gkp {
struct GranularityResult;
}

// One granularity of the GranularityView: its name and criterion, the layer's mask as a picture
// (rows = filters o, columns = input channels c; dark = kept, light = pruned), the weight energy
// it keeps and whether the pruned layer stays dense.
class GranularityPanel : public QFrame
{
    Q_OBJECT

public:
    explicit GranularityPanel(QWidget *parent = nullptr);

    // Cout x Cin picture of a result's kept fractions. Thread-safe (QImage only), so the
    // view's worker builds it, not the UI thread.
    static QImage maskImage(const gkp::GranularityResult &result);

    void setResult(const gkp::GranularityResult &result, const QImage &mask, const QString &title,
                   const QString &criterion, bool highlight);
    void clear(const QString &placeholder = {});

    QString title() const;
    QImage mask() const;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    bool m_highlight = false;
    QLabel *m_title;
    QLabel *m_criterion;
    GranularityMaskWidget *m_mask;
    QLabel *m_numbers;
    QLabel *m_dense;
};
