#include "mainwindow.h"
#include "uilanguage.h"

#include "runtime/threads.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QIcon>

#include <cstdio>

namespace {
// The bundled demo model: installed under share/gkp-studio/demo, or in the source tree.
QString demoModel()
{
    const QString installed = QDir(QApplication::applicationDirPath())
                                  .filePath(QStringLiteral(GKP_DATADIR_RELATIVE "/demo/fashion_resnet20.pt"));
    for (const QString &candidate : {installed, QStringLiteral(GKP_DEMO_SOURCE)})
        if (!candidate.isEmpty() && QFileInfo::exists(candidate))
            return QFileInfo(candidate).canonicalFilePath();
    return {};
}

QIcon appIcon()
{
    QIcon icon;
    for (int size : {32, 64, 256})
        icon.addFile(QStringLiteral(":/icons/%1x%1/apps/" GKP_APP_ID ".png").arg(size));
    return QIcon::fromTheme(QStringLiteral(GKP_APP_ID), icon);
}
} // namespace

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("GKP Studio"));
    QApplication::setApplicationName(QStringLiteral("gkp-studio"));
    QApplication::setApplicationVersion(QStringLiteral(GKP_VERSION));
    QGuiApplication::setDesktopFileName(QStringLiteral(GKP_APP_ID));
    QApplication::setWindowIcon(appIcon());
    // Before any translated text: the saved View ▸ Language choice, else the system language.
    UiLanguage::install(UiLanguage::saved());

    QCommandLineParser parser;
    parser.setApplicationDescription(QApplication::translate("main", "Grouped Kernel Pruning studio"));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption demoPath(QStringLiteral("demo-model-path"),
                                      QApplication::translate("main", "Print where the bundled demo model is, then exit"));
    parser.addOption(demoPath);
    parser.addPositionalArgument(QStringLiteral("model"),
                                 QApplication::translate("main", "TorchScript model to open (default: the demo model)"));
    parser.process(app);
    if (parser.isSet(demoPath)) {
        const QString path = demoModel();
        std::fputs(qPrintable((path.isEmpty() ? QApplication::translate("main", "(not installed)") : path) + u'\n'),
                   path.isEmpty() ? stderr : stdout);
        return path.isEmpty() ? 1 : 0;
    }
    gkp::configureThreads();

    MainWindow window;
    window.show();
    const QString model =
        parser.positionalArguments().isEmpty() ? demoModel() : parser.positionalArguments().first();
    if (!model.isEmpty())
        window.openModel(model);
    return app.exec();
}
