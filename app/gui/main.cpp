// salient: the desktop application. With no arguments it opens the built-in demo dataset.
//   salient [SESSION.json] [--demo] [--train-activations A --train-tokens T --train-labels L ...]
//   salient --demo --screenshots DIR   runs the default analysis, writes one PNG per view, exits
//   salient SESSION --export-report DIR   writes the report of the session's stored results, exits
//   salient --demo --export-report DIR    runs the default analysis, writes its report, exits
//   ... --export-report DIR --figure-preset single-column|double-column|slide   figure size
#include "salient/ui/jobs/jobrunner.h"
#include "salient/ui/mainwindow.h"
#include "salient/util/error.h"
#include "salient/util/runtime.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>
#include <QThread>
#include <QTimer>
#include <cstdio>

using salient::ui::MainWindow;

namespace {

/// The command line of the desktop app (shared by the display-less --help / --version path).
void addOptions(QCommandLineParser &p)
{
    p.setApplicationDescription(
        QStringLiteral("Salient: find and inspect the neurons of NLP models "
                       "that encode linguistic properties."));
    p.addHelpOption();
    p.addVersionOption();
    p.addPositionalArgument(QStringLiteral("SESSION"),
                            QStringLiteral("session file to open (optional)"));
    p.addOption(
        {QStringLiteral("demo"),
         QStringLiteral("open the built-in synthetic demo dataset (default without arguments)")});
    for (const char *split : {"train", "dev", "test"})
        for (const char *role : {"activations", "tokens", "labels"})
            p.addOption(
                {QStringLiteral("%1-%2").arg(QLatin1String(split), QLatin1String(role)),
                 QStringLiteral("%1 %2 file").arg(QLatin1String(split), QLatin1String(role)),
                 QStringLiteral("FILE")});
    p.addOption({QStringLiteral("screenshots"),
                 QStringLiteral("run the default analysis, write one PNG per view into DIR, exit"),
                 QStringLiteral("DIR")});
    p.addOption({QStringLiteral("screenshot"),
                 QStringLiteral("render the main window to FILE (PNG) and exit"),
                 QStringLiteral("FILE")});
    p.addOption(
        {QStringLiteral("export-report"),
         QStringLiteral(
             "write the report folder DIR (figures, tables, parameters, index.html) and exit; with "
             "--demo or data files the default analysis runs first, with SESSION its stored "
             "results are used"),
         QStringLiteral("DIR")});
    p.addOption({QStringLiteral("figure-preset"),
                 QStringLiteral("size of the report's figures: single-column (3.3 in, 8 pt), "
                                "double-column (7 in, 8 pt; default) or slide (10 in, 14 pt)"),
                 QStringLiteral("PRESET"), QStringLiteral("double-column")});
}

/// --help / --version print and exit before any window system is needed (they work on a
/// server without a display).
bool asksForHelpOrVersion(int argc, char **argv)
{
    for (int i = 1; i < argc; ++i) {
        const QByteArray a(argv[i]);
        if (a == "--help" || a == "-h" || a == "--help-all" || a == "-?" || a == "--version"
            || a == "-v")
            return true;
    }
    return false;
}

} // namespace

int main(int argc, char **argv)
{
    if (asksForHelpOrVersion(argc, argv)) {
        QCoreApplication core(argc, argv);
        QCoreApplication::setApplicationName(QStringLiteral("Salient"));
        QCoreApplication::setApplicationVersion(QStringLiteral(SALIENT_VERSION));
        QCommandLineParser p;
        addOptions(p);
        p.process(core); // prints and exits
        return 0;
    }
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("Salient"));
    QApplication::setOrganizationName(QStringLiteral("Salient"));
    // Desktops match the window to packaging/salient.desktop (installed under this id).
    QGuiApplication::setDesktopFileName(QStringLiteral("io.github.salient.Salient"));
    QIcon icon;
    icon.addFile(QStringLiteral(":/icons/salient-48.png"));
    icon.addFile(QStringLiteral(":/icons/salient-256.png"));
    QApplication::setWindowIcon(icon);
    QApplication::setApplicationVersion(QStringLiteral(SALIENT_VERSION));
    QCommandLineParser p;
    addOptions(p);
    p.process(app);
    salient::setComputeThreads(0);
    qRegisterMetaType<salient::ui::JobStatus>();

    const auto preset = salient::ui::figurePresetFromName(p.value(QStringLiteral("figure-preset")));
    if (!preset || *preset == salient::ui::FigurePreset::Custom) {
        std::fprintf(stderr,
                     "salient: --figure-preset: expected single-column, double-column or slide, "
                     "found \"%s\"\n",
                     qPrintable(p.value(QStringLiteral("figure-preset"))));
        return 2;
    }
    MainWindow window;
    window.setReportFigures(salient::ui::FigureOptions::forPreset(*preset));
    const bool report = p.isSet(QStringLiteral("export-report"));
    const bool batch =
        p.isSet(QStringLiteral("screenshots")) || p.isSet(QStringLiteral("screenshot")) || report;
    window.setInteractive(!batch);
    window.show();
    // Once shown and laid out, its minimum size is known: fit the window into the screen.
    QTimer::singleShot(0, &window, [&window] { window.fitToScreen(false); });
    int loadJob = -1;
    if (!p.positionalArguments().isEmpty()) {
        loadJob = window.openSession(p.positionalArguments().first());
    } else if (p.isSet(QStringLiteral("train-activations"))) {
        salient::TaskInputs in;
        salient::SplitPaths *splits[] = {&in.train, &in.dev, &in.test};
        int s = 0;
        for (const char *split : {"train", "dev", "test"}) {
            const QString sp = QLatin1String(split);
            *splits[s++] = {p.value(sp + QStringLiteral("-activations")),
                            p.value(sp + QStringLiteral("-tokens")),
                            p.value(sp + QStringLiteral("-labels"))};
        }
        loadJob = window.loadFiles(in);
    } else {
        loadJob = window.loadDemo();
    }
    if (!batch)
        return QApplication::exec();

    // Batch mode: wait for loading, run the default analysis, render, exit.
    if (loadJob < 0 || !window.waitForJobs(600000) || !window.task()) {
        std::fprintf(stderr, "salient: loading failed: %s\n",
                     window.lastError().toLocal8Bit().constData());
        return 2;
    }
    const bool fromSession = !p.positionalArguments().isEmpty();
    if (p.isSet(QStringLiteral("screenshots")) || (report && !fromSession)) {
        for (const QString &a : {QStringLiteral("probe"), QStringLiteral("minimal-subset"),
                                 QStringLiteral("ablation"), QStringLiteral("selectivity")}) {
            window.runAnalysisJob(a);
            if (!window.waitForJobs(1800000) || !window.lastError().isEmpty()) {
                std::fprintf(stderr, "salient: %s failed: %s\n", qPrintable(a),
                             window.lastError().toLocal8Bit().constData());
                return 1;
            }
        }
    }
    // The selected neuron's profile is computed in the background: let it arrive (≤ 60 s).
    for (int i = 0; i < 3000 && window.profilePending(); ++i) {
        QApplication::processEvents(QEventLoop::AllEvents, 20);
        QThread::msleep(20);
    }
    if (p.isSet(QStringLiteral("screenshots")))
        return window.writeScreenshots(p.value(QStringLiteral("screenshots"))) ? 0 : 1;
    if (report) {
        QString error;
        if (!window.exportReport(p.value(QStringLiteral("export-report")), &error)) {
            std::fprintf(stderr, "salient: %s\n", error.toLocal8Bit().constData());
            return 1;
        }
        std::printf("%s\n", qPrintable(p.value(QStringLiteral("export-report"))));
        return 0;
    }
    return window.grab().save(p.value(QStringLiteral("screenshot")), "PNG") ? 0 : 1;
}
