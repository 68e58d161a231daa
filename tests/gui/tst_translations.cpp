#include "document.h"
#include "mainwindow.h"
#include "uilanguage.h"

#include <QAbstractTextDocumentLayout>
#include <QActionGroup>
#include <QDir>
#include <QFile>
#include <QLibraryInfo>
#include <QMenu>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QSignalSpy>
#include <QTableView>
#include <QTextDocument>
#include <QXmlStreamReader>
#include <QtTest>

namespace {
struct Entry
{
    QString context, source, translation;
};

// The finished, singular entries of a .ts file from the source tree.
QList<Entry> readTs(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QList<Entry> entries;
    QXmlStreamReader xml(&file);
    QString context;
    Entry e;
    bool numerus = false;
    while (!xml.atEnd()) {
        xml.readNext();
        if (!xml.isStartElement())
            continue;
        if (xml.name() == u"name")
            context = xml.readElementText();
        else if (xml.name() == u"message")
            numerus = xml.attributes().value(QStringLiteral("numerus")) == u"yes";
        else if (xml.name() == u"source")
            e.source = xml.readElementText();
        else if (xml.name() == u"translation" && !numerus) {
            e.context = context;
            e.translation = xml.readElementText();
            entries.append(e);
        }
    }
    return entries;
}

QString menuTitle(MainWindow &window, int index)
{
    return window.menuBar()->actions().value(index)->text();
}

bool qtTranslationInstalled(const QString &language)
{
    return QFile::exists(QLibraryInfo::path(QLibraryInfo::TranslationsPath) +
                         QStringLiteral("/qtbase_%1.qm").arg(language));
}
} // namespace

class TestTranslations : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void cleanup()
    {
        QSettings().remove(QStringLiteral("ui/language"));
        UiLanguage::install(QStringLiteral("en"));
    }

    void embeddedTranslationsMatchTheTsFiles_data()
    {
        QTest::addColumn<QString>("language");
        QTest::newRow("de") << QStringLiteral("de");
        QTest::newRow("zh_CN") << QStringLiteral("zh_CN");
    }
    void embeddedTranslationsMatchTheTsFiles()
    {
        QFETCH(QString, language);
        QVERIFY(UiLanguage::install(language));
        const QList<Entry> entries =
            readTs(QStringLiteral(GKP_SOURCE_DIR "/translations/gkp_studio_%1.ts").arg(language));
        QVERIFY(entries.size() > 150);
        for (const Entry &e : entries)
            QCOMPARE(QCoreApplication::translate(e.context.toUtf8().constData(), e.source.toUtf8().constData()),
                     e.translation);
    }

    void germanMenusAndQtStrings()
    {
        QVERIFY(UiLanguage::install(QStringLiteral("de")));
        QCOMPARE(QLocale().language(), QLocale::German);
        MainWindow window;
        QCOMPARE(menuTitle(window, 0), QStringLiteral("&Datei"));
        QCOMPARE(menuTitle(window, 2), QStringLiteral("&Ansicht"));
        // a plural form: German has two
        QCOMPARE(QCoreApplication::translate("ExportDialog",
                                             "<p>%n layer(s) kept as masked dense convolutions because their grouped "
                                             "form was slower on this machine: %1</p>",
                                             nullptr, 2),
                 QStringLiteral("<p>2 Schichten bleiben als maskierte dichte Faltungen, weil ihre gruppierte Form auf "
                                "diesem Rechner langsamer war: %1</p>"));
        if (!qtTranslationInstalled(QStringLiteral("de")))
            QSKIP("Qt's own translations are not installed (Debian qt6-translations-l10n)");
        QCOMPARE(QCoreApplication::translate("QProgressDialog", "Cancel"), QStringLiteral("Abbrechen"));
    }

    void chineseReplacesGerman()
    {
        QVERIFY(UiLanguage::install(QStringLiteral("de")));
        QVERIFY(UiLanguage::install(QStringLiteral("zh_CN")));
        MainWindow window;
        QCOMPARE(menuTitle(window, 0), QStringLiteral("文件(&F)"));
        if (qtTranslationInstalled(QStringLiteral("zh_CN")))
            QCOMPARE(QCoreApplication::translate("QProgressDialog", "Cancel"), QStringLiteral("取消"));
    }

    void englishIsTheSource()
    {
        QVERIFY(UiLanguage::install(QStringLiteral("de")));
        QVERIFY(!UiLanguage::install(QStringLiteral("en"))); // no translation file: the source strings
        MainWindow window;
        QCOMPARE(menuTitle(window, 0), QStringLiteral("&File"));
        QCOMPARE(QCoreApplication::translate("QProgressDialog", "Cancel"), QStringLiteral("Cancel"));
    }

    void languageMenuSavesTheChoice()
    {
        MainWindow window;
        auto *menu = window.findChild<QMenu *>(QStringLiteral("languageMenu"));
        QVERIFY(menu);
        const QList<QAction *> actions = menu->actions();
        QCOMPARE(actions.size(), 4);
        QVERIFY(actions[0]->isChecked()); // nothing saved: the system language
        QCOMPARE(actions[2]->text(), QStringLiteral("Deutsch"));
        QCOMPARE(actions[3]->text(), QStringLiteral("简体中文"));
        actions[3]->trigger();
        QCOMPARE(UiLanguage::saved(), QStringLiteral("zh_CN"));
        QVERIFY(actions[3]->isChecked() && !actions[0]->isChecked());
        QVERIFY(window.findChild<QMessageBox *>(QStringLiteral("languageBox")));
        actions[0]->trigger();
        QCOMPARE(UiLanguage::saved(), QString());
        // a settings file edited by hand falls back to the system language
        QSettings().setValue(QStringLiteral("ui/language"), QStringLiteral("xx"));
        QCOMPARE(UiLanguage::saved(), QString());
    }

    // The model summary's totals panel has a fixed width: every row of its table (one line each) must
    // fit it in every language, with the widest figures the panel is sized for.
    void totalsFitTheSummaryPanel_data()
    {
        QTest::addColumn<QString>("language");
        QTest::newRow("en") << QStringLiteral("en");
        embeddedTranslationsMatchTheTsFiles_data();
    }
    void totalsFitTheSummaryPanel()
    {
        QFETCH(QString, language);
        UiLanguage::install(language);
        MainWindow window;
        QSignalSpy loaded(window.document(), &Document::modelChanged);
        window.openModel(QStringLiteral(GKP_FIXTURES_DIR "/cifar_resnet20b_traced.pt"));
        QVERIFY(loaded.wait(60000));
        QSignalSpy planned(window.document(), &Document::planChanged);
        QVERIFY((window.document()->isPlanCurrent() && !window.document()->isPlanning()) || planned.wait(120000));
        auto *totals = window.findChild<QLabel *>(QStringLiteral("totalsPanel"));
        QVERIFY(totals);
        QString html = totals->text();
        // the widest figures: three-digit sizes in MiB and counts
        html.replace(QRegularExpression(QStringLiteral("[0-9][0-9.,]*\\x{00A0}(KiB|MiB|B|bytes|Byte)")),
                     QStringLiteral("000.00") + QChar(0x00A0) + QStringLiteral("MiB"));
        const QString table = html.mid(html.indexOf(QStringLiteral("<table")));
        QCOMPARE(table.count(QStringLiteral("000.00") + QChar(0x00A0) + QStringLiteral("MiB")), 2);
        QTextDocument doc;
        doc.setDefaultFont(totals->font());
        doc.setDocumentMargin(0);
        doc.setHtml(table);
        QVERIFY2(doc.idealWidth() <= totals->width(),
                 qPrintable(QStringLiteral("%1 > %2").arg(doc.idealWidth()).arg(totals->width())));
    }

    // tools/screenshots.sh: the main window in each language (docs/screenshots/mainwindow-<lang>.png)
    void localisedScreenshots_data() { embeddedTranslationsMatchTheTsFiles_data(); }
    void localisedScreenshots()
    {
        QFETCH(QString, language);
        if (!qEnvironmentVariableIsSet("GKP_SCREENSHOT_DIR"))
            QSKIP("screenshots only for tools/screenshots.sh (GKP_SCREENSHOT_DIR)");
        QVERIFY(UiLanguage::install(language));
        MainWindow window;
        window.resize(1400, 860);
        window.show();
        QSignalSpy loaded(window.document(), &Document::modelChanged);
        window.openModel(QStringLiteral(GKP_FIXTURES_DIR "/cifar_resnet20b_traced.pt"));
        QVERIFY(loaded.wait(60000));
        window.layerView()->selectRow(3);
        QSignalSpy planned(window.document(), &Document::planChanged);
        QVERIFY((window.document()->isPlanCurrent() && !window.document()->isPlanning()) || planned.wait(120000));
        QTest::qWait(200); // queued replots
        QVERIFY(window.grab().save(qEnvironmentVariable("GKP_SCREENSHOT_DIR") +
                                   QStringLiteral("/mainwindow-%1.png").arg(language)));
    }
};

QTEST_MAIN(TestTranslations)
#include "tst_translations.moc"
