#pragma once

// QCustomPlot's header uses the Qt keywords this project disables (QT_NO_KEYWORDS, because Qt's
// `slots` clashes with LibTorch). Include it through this header, only from view .cpp files that
// do not include LibTorch.
#define signals Q_SIGNALS
#define slots Q_SLOTS
#define emit Q_EMIT
#define foreach Q_FOREACH
#include <qcustomplot.h>
#undef signals
#undef slots
#undef emit
#undef foreach
