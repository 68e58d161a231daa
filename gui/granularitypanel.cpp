#include "granularitypanel.h"

#include "engine/granularity.h"

#include <QLabel>
#include <QPainter>
#include <QVBoxLayout>
#include <algorithm>

// Draws the mask picture as large as the panel allows, one flat block per kernel, at the top of
// its area. The aspect ratio is kept while it leaves the picture at least half the panel in both
// directions, so a 2048 x 512 layer still gets a readable width.
class GranularityMaskWidget : public QWidget
{
public:
    explicit GranularityMaskWidget(QWidget *parent = nullptr) : QWidget(parent)
    {
        setMinimumSize(80, 80);
        QSizePolicy policy(QSizePolicy::Expanding, QSizePolicy::Preferred);
        policy.setHeightForWidth(true); // the panel ends below the picture, not at the window's bottom
        setSizePolicy(policy);
    }
    bool hasHeightForWidth() const override { return true; }
    int heightForWidth(int w) const override
    {
        if (m_image.isNull())
            return w;
        const double aspect = std::clamp(double(m_image.height()) / m_image.width(), 0.5, 2.0);
        return int(w * aspect) + 2;
    }
    QSize sizeHint() const override { return {160, heightForWidth(160)}; }
    void setImage(const QImage &image, const QString &placeholder = {})
    {
        m_image = image;
        m_placeholder = placeholder;
        updateGeometry();
        update();
    }
    const QImage &image() const { return m_image; }

protected:
    void paintEvent(QPaintEvent *) override
    {
        QPainter p(this);
        const QRect area = rect().adjusted(1, 1, -1, -1);
        if (m_image.isNull()) {
            p.setPen(palette().color(QPalette::PlaceholderText));
            p.drawText(area, Qt::AlignCenter | Qt::TextWordWrap, m_placeholder);
            return;
        }
        const double scale =
            std::min(double(area.width()) / m_image.width(), double(area.height()) / m_image.height());
        const int w = std::max(int(m_image.width() * scale), area.width() / 2);
        const int h = std::max(int(m_image.height() * scale), area.height() / 2);
        const QRect target(area.x() + (area.width() - w) / 2, area.y(), w, h); // top: next to its numbers
        p.drawImage(target, m_image); // no smoothing: kernels stay sharp blocks
        p.setPen(QPen(palette().color(QPalette::Mid), 1));
        p.drawRect(target.adjusted(0, 0, -1, -1));
    }

private:
    QImage m_image;
    QString m_placeholder;
};

GranularityPanel::GranularityPanel(QWidget *parent)
    : QFrame(parent), m_title(new QLabel), m_criterion(new QLabel), m_mask(new GranularityMaskWidget),
      m_numbers(new QLabel), m_dense(new QLabel)
{
    setFrameShape(QFrame::StyledPanel);
    QFont big = m_title->font();
    big.setBold(true);
    big.setPointSizeF(big.pointSizeF() * 1.15);
    m_title->setFont(big);
    m_criterion->setWordWrap(true);
    m_criterion->setMinimumHeight(m_criterion->fontMetrics().lineSpacing() * 2); // panels line up
    m_criterion->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_numbers->setWordWrap(true);
    m_dense->setWordWrap(true);
    m_dense->setMargin(3);
    m_mask->setToolTip(tr("Rows: output channels o (filters). Columns: input channels c. "
                          "Dark: kept, light: pruned; in between: part of the kernel's weights kept."));

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->setSpacing(4);
    layout->addWidget(m_title);
    layout->addWidget(m_criterion);
    layout->addWidget(m_numbers);
    layout->addWidget(m_dense);
    layout->addWidget(m_mask, 1); // last: spare height goes below the picture, not between texts
    clear();
}

QImage GranularityPanel::maskImage(const gkp::GranularityResult &result)
{
    const int rows = int(result.out_channels), cols = int(result.in_channels);
    QImage image(cols, rows, QImage::Format_RGB32);
    if (image.isNull())
        return image;
    // Kept dark, pruned light: the eye reads the dark area as "what is left".
    const QColor kept(0x1b, 0x2f, 0x5e), pruned(0xe8, 0xec, 0xf2);
    for (int r = 0; r < rows; ++r) {
        auto *line = reinterpret_cast<QRgb *>(image.scanLine(r));
        const float *src = result.kept.data() + std::ptrdiff_t(r) * cols;
        for (int c = 0; c < cols; ++c) {
            const float t = std::clamp(src[c], 0.0f, 1.0f);
            line[c] = qRgb(int(pruned.red() + t * (kept.red() - pruned.red())),
                           int(pruned.green() + t * (kept.green() - pruned.green())),
                           int(pruned.blue() + t * (kept.blue() - pruned.blue())));
        }
    }
    return image;
}

void GranularityPanel::setResult(const gkp::GranularityResult &result, const QImage &mask,
                                 const QString &title, const QString &criterion, bool highlight)
{
    m_title->setText(title);
    m_criterion->setText(criterion);
    m_mask->setImage(mask);
    m_numbers->setText(tr("kept: %1 % of weights<br>retained energy: <b>%2 %</b>")
                           .arg(result.kept_fraction * 100.0, 0, 'f', 1)
                           .arg(result.retained_energy * 100.0, 0, 'f', 1));
    if (result.dense) {
        m_dense->setText(tr("dense: runs on standard kernels"));
        m_dense->setStyleSheet(
            QStringLiteral("QLabel { background: #d8f0dc; color: #14532d; border-radius: 3px; }"));
    } else {
        m_dense->setText(tr("sparse: needs sparse kernels"));
        m_dense->setStyleSheet(
            QStringLiteral("QLabel { background: #fbe3cf; color: #7c2d12; border-radius: 3px; }"));
    }
    m_highlight = highlight;
    update();
}

void GranularityPanel::paintEvent(QPaintEvent *event)
{
    QFrame::paintEvent(event);
    if (!m_highlight)
        return;
    // The GKP panel is the point of the comparison: a frame in the highlight colour marks it.
    // Painted, not a style sheet, so the panel's fonts and metrics stay those of its neighbours.
    QPainter p(this);
    p.setPen(QPen(palette().color(QPalette::Highlight), 2));
    p.drawRect(QRectF(rect()).adjusted(1, 1, -1, -1));
}

void GranularityPanel::clear(const QString &placeholder)
{
    m_title->clear();
    m_criterion->clear();
    m_numbers->clear();
    m_dense->clear();
    m_dense->setStyleSheet({});
    m_mask->setImage({}, placeholder);
    m_highlight = false;
    update();
}

QString GranularityPanel::title() const
{
    return m_title->text();
}

QImage GranularityPanel::mask() const
{
    return m_mask->image();
}
