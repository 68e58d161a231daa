#include "mainwindow.h"

#include "runtime.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>

namespace {
// The bundled demo model: installed under share/gkp-studio/demo, or in the source tree.
QString demoModel()
{
    const QString installed = QDir(QApplication::applicationDirPath())
                                  .filePath(QStringLiteral(GKP_DATADIR_RELATIVE "/demo/fashion_resnet20.pt"));
    for (const QString &candidate : {installed, QStringLiteral(GKP_DEMO_SOURCE)})
        if (QFileInfo::exists(candidate))
            return QFileInfo(candidate).absoluteFilePath();
    return {};
}
} // namespace

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("GKP Studio"));
    QApplication::setApplicationName(QStringLiteral("gkp-studio"));
    QApplication::setApplicationVersion(QStringLiteral(GKP_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QApplication::translate("main", "Grouped Kernel Pruning studio"));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("model"),
                                 QApplication::translate("main", "TorchScript model to open (default: the demo model)"));
    parser.process(app);
    gkp::configureThreads();

    MainWindow window;
    window.show();
    const QString model =
        parser.positionalArguments().isEmpty() ? demoModel() : parser.positionalArguments().first();
    if (!model.isEmpty())
        window.openModel(model);
    return app.exec();
}
