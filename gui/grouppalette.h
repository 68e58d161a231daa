#pragma once

#include <QColor>
#include <QIcon>

// How filter groups are told apart in the views: 32 qualitative colours (tab10 first, so the
// common G <= 10 gets the most distinct ones), then generated hues, plus a marker shape that
// changes every 10 groups. Every group below distinctColours() has its own colour; the shape
// keeps large G, and the light partners of the tab10 colours, apart for readers with weak colour
// vision. Unplanned filters are drawn grey, so no group colour is grey.
namespace grouppalette {

enum class Marker { Disc, Square, Triangle, Diamond, InvertedTriangle };

constexpr int ColourCount = 32;
QColor colour(int group);
int distinctColours(); // groups 0 .. distinctColours()-1 all differ in colour
Marker marker(int group);
QColor unplannedColour();
// A small swatch (marker shape in the group's colour) for lists and legends.
QIcon icon(int group, int size = 14);

} // namespace grouppalette
