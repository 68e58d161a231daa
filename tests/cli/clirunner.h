#pragma once

#include <QProcess>
#include <QString>
#include <QStringList>
#include <QtTest>

// Runs the built `gkp` executable and captures what a user would see.
struct CliResult
{
    int exitCode = -1;
    bool crashed = false;
    QString out;
    QString err;
};

inline CliResult runGkp(const QStringList &args, int timeoutMs = 600000)
{
    QProcess p;
    p.start(QStringLiteral(GKP_CLI_PATH), args);
    p.closeWriteChannel();
    CliResult r;
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        r.crashed = true;
    }
    r.crashed = r.crashed || p.exitStatus() == QProcess::CrashExit;
    r.exitCode = p.exitCode();
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

inline QString fixturePath(const char *file)
{
    return QStringLiteral(GKP_FIXTURES_DIR "/") + QString::fromUtf8(file);
}

// The command failed the way a user should see it: exit code 1, no crash, and one error line,
// the last one, that names the cause.
inline void checkOneErrorLine(const CliResult &r, const QString &mustMention)
{
    QCOMPARE(r.exitCode, 1);
    QVERIFY(!r.crashed);
    const QStringList lines = r.err.trimmed().split(u'\n');
    QVERIFY2(lines.last().startsWith(QStringLiteral("gkp: error: ")), qPrintable(r.err));
    QVERIFY2(lines.last().contains(mustMention), qPrintable(r.err));
    QCOMPARE(r.err.count(QStringLiteral("error")), 1);
}
