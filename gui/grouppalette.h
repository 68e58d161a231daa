#pragma once

#include <QColor>
#include <QIcon>

// How filter groups are told apart in the views: 32 qualitative colours (tab10 first, so the
// common G <= 10 gets the most distinct ones) plus a marker shape that changes every 10 groups.
// The shape is redundant for G <= 32 and keeps larger G, or readers with weak colour vision,
// apart. Unplanned filters are drawn grey, so no group colour is grey.
namespace grouppalette {

enum class Marker { Disc, Square, Triangle, Diamond, InvertedTriangle };

constexpr int ColourCount = 32;
QColor colour(int group);
Marker marker(int group);
QColor unplannedColour();
// A small swatch (marker shape in the group's colour) for lists and legends.
QIcon icon(int group, int size = 14);

} // namespace grouppalette
