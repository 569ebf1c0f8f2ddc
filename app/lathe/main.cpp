#include "core/Version.h"
#include "ui/MainWindow.h"

#include <QApplication>
#include <QCommandLineParser>

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("Lathe"));
    QApplication::setOrganizationName(QStringLiteral("Lathe"));
    QApplication::setApplicationVersion(QString::fromUtf8(lathe::core::version()));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Lathe mastering workstation"));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("folder"), QStringLiteral("Client folder or .lathe session to open"));
    parser.process(app);

    lathe::ui::MainWindow window;
    window.show();
    return app.exec();
}
