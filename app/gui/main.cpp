// salient: the desktop application. Opens the built-in demo dataset when started without
// arguments. --screenshot FILE renders the main window to a PNG and exits (tests, README).
#include "salient/demo.h"
#include "salient/error.h"
#include "salient/runtime.h"
#include "salient/ui/mainwindow.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QMessageBox>
#include <QTimer>

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("Salient"));
    QApplication::setOrganizationName(QStringLiteral("Salient"));
    QApplication::setApplicationVersion(QStringLiteral(SALIENT_VERSION));
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Salient: find and inspect the neurons of NLP models "
                                               "that encode linguistic properties."));
    p.addHelpOption();
    p.addVersionOption();
    p.addOption({QStringLiteral("screenshot"), QStringLiteral("render the window to FILE (PNG) and exit"),
                 QStringLiteral("FILE")});
    p.process(app);
    salient::setComputeThreads(0);
    try {
        auto demo = std::make_shared<const salient::DemoDataset>(salient::makeDemoDataset());
        salient::ui::MainWindow window(demo);
        window.show();
        if (p.isSet(QStringLiteral("screenshot"))) {
            const QString file = p.value(QStringLiteral("screenshot"));
            QTimer::singleShot(300, &window, [&window, file] {
                const bool ok = window.grab().save(file, "PNG");
                QApplication::exit(ok ? 0 : 1);
            });
        }
        return QApplication::exec();
    } catch (const salient::Error &e) {
        QMessageBox::critical(nullptr, QStringLiteral("Salient"), e.message());
        return 2;
    }
}
