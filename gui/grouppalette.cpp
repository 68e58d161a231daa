#include "grouppalette.h"

#include <QPainter>
#include <QPainterPath>
#include <QPixmap>

#include <algorithm>
#include <cmath>

namespace grouppalette {

namespace {
// tab10 (grey replaced by black), its light tab20 partners (light grey replaced by yellow), then
// twelve darker/saturated tones from tab20b/Dark2 that differ from both.
constexpr QRgb Colours[ColourCount] = {
    0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd, 0x8c564b, 0xe377c2, 0x000000, 0xbcbd22, 0x17becf,
    0xaec7e8, 0xffbb78, 0x98df8a, 0xff9896, 0xc5b0d5, 0xc49c94, 0xf7b6d2, 0xffd92f, 0xdbdb8d, 0x9edae5,
    0x393b79, 0x637939, 0x8c6d31, 0x843c39, 0x7b4173, 0x6b6ecf, 0xb5cf6b, 0xe7ba52, 0xd6616b, 0xce6dbd,
    0x1b9e77, 0x66a61e,
};
} // namespace

QColor colour(int group)
{
    group = std::max(group, 0);
    if (group < ColourCount)
        return QColor(Colours[group]);
    // Beyond the table: hues a golden angle apart in three strengths. Less distinct than the table,
    // which is why the marker shape changes too; still one colour per group (distinctColours()).
    const int k = group - ColourCount;
    const int hue = int(std::fmod(17.0 + k * 137.50776, 360.0));
    static constexpr int Saturation[3] = {255, 170, 255}, Value[3] = {205, 235, 135};
    return QColor::fromHsv(hue, Saturation[(k / 7) % 3], Value[(k / 7) % 3]);
}

int distinctColours()
{
    return 256; // checked: the generated hues repeat an RGB value first at group 290
}

Marker marker(int group)
{
    return Marker((std::max(group, 0) / 10) % 5);
}

QColor unplannedColour()
{
    return QColor(0xa0, 0xa0, 0xa0);
}

QIcon icon(int group, int size)
{
    QPixmap pixmap(size, size);
    pixmap.fill(Qt::transparent);
    QPainter p(&pixmap);
    p.setRenderHint(QPainter::Antialiasing);
    p.setPen(QPen(colour(group).darker(150), 1));
    p.setBrush(colour(group));
    const QRectF r(1.5, 1.5, size - 3, size - 3);
    QPainterPath path;
    switch (marker(group)) {
    case Marker::Disc: path.addEllipse(r); break;
    case Marker::Square: path.addRect(r); break;
    case Marker::Triangle:
        path.addPolygon(QPolygonF({QPointF(r.center().x(), r.top()), r.bottomRight(), r.bottomLeft()}));
        path.closeSubpath();
        break;
    case Marker::Diamond:
        path.addPolygon(QPolygonF({QPointF(r.center().x(), r.top()), QPointF(r.right(), r.center().y()),
                                   QPointF(r.center().x(), r.bottom()), QPointF(r.left(), r.center().y())}));
        path.closeSubpath();
        break;
    case Marker::InvertedTriangle:
        path.addPolygon(QPolygonF({r.topLeft(), r.topRight(), QPointF(r.center().x(), r.bottom())}));
        path.closeSubpath();
        break;
    }
    p.drawPath(path);
    return QIcon(pixmap);
}

} // namespace grouppalette
