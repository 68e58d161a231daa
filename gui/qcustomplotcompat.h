#pragma once

// qcustomplot.h (2.1) uses the `signals` and `foreach` keywords, which QT_NO_KEYWORDS (needed for
// LibTorch) removes. Include it through this header, from view .cpp files only.
#define signals Q_SIGNALS
#define foreach Q_FOREACH
#include <qcustomplot.h>
#undef foreach
#undef signals
