#pragma once

#include "document.h"

#include <QSignalSpy>
#include <QStandardPaths>
#include <QtTest>

// Opens a model in `document` and waits for it and for its first plan (both come from workers).
inline bool openAndPlan(Document &document, const QString &path, int timeoutMs = 120000)
{
    QSignalSpy loaded(&document, &Document::modelChanged);
    QSignalSpy planned(&document, &Document::planChanged);
    document.openModel(path);
    if (!loaded.wait(timeoutMs))
        return false;
    return planned.count() > 0 || planned.wait(timeoutMs);
}

// Saves a grab of `widget` into $GKP_SCREENSHOT_DIR (when set) so a person can look at it.
inline void saveScreenshot(QWidget &widget, const QString &name)
{
    QTest::qWait(50); // let queued replots and layout requests run, as the event loop would
    const QImage shot = widget.grab().toImage();
    QVERIFY(!shot.isNull());
    if (qEnvironmentVariableIsSet("GKP_SCREENSHOT_DIR"))
        QVERIFY(shot.save(qEnvironmentVariable("GKP_SCREENSHOT_DIR") + QLatin1Char('/') + name));
}
