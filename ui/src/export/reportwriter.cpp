#include "salient/ui/export/reportwriter.h"

#include "salient/model/attach.h"

#include "salient/probe/salience.h"
#include "salient/session/notes.h"
#include "salient/session/resultsjson.h"
#include "salient/session/session.h"
#include "salient/ui/controller/sessioncontroller.h"
#include "salient/ui/export/report.h"
#include "salient/ui/export/viewfigures.h"
#include "salient/ui/models/neuronclassmodel.h"
#include "salient/ui/models/topwordsmodel.h"
#include "salient/ui/plotting/curvescanvas.h"
#include "salient/ui/plotting/gridsearchcanvas.h"
#include "salient/ui/plotting/layerbarscanvas.h"
#include "salient/ui/plotting/layerwisecanvas.h"
#include "salient/ui/plotting/salienceheatmapcanvas.h"
#include "salient/ui/plotting/trainingcurvecanvas.h"
#include "salient/ui/views/analysisviews.h"
#include "salient/ui/views/comparedock.h"
#include "salient/ui/views/curvesview.h"
#include "salient/ui/views/interventionview.h"
#include "salient/ui/views/neuroninspector.h"
#include "salient/ui/views/salienceview.h"
#include "salient/ui/views/wordactivationview.h"
#include "salient/util/csv.h"
#include "salient/util/error.h"

#include <QComboBox>
#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QPointer>
#include <QTimer>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <memory>
#include <mutex>

namespace salient::ui {

namespace {

struct Section {
    QString title, note;
    QStringList files;
};

QString optionsLabel(const ProbeOptions &po)
{
    return QObject::tr("λ1 = %1, λ2 = %2, %3 epochs, batch %4, learning rate %5, seed %6%7")
        .arg(po.l1)
        .arg(po.l2)
        .arg(po.epochs)
        .arg(po.batchSize)
        .arg(po.learningRate)
        .arg(po.seed)
        .arg(po.standardize ? QObject::tr(", standardised") : QString());
}

/// The inspector's neuron as core computed it: the identity from @p s, the tables from the
/// inspector's item models (core's order, formatted from the core structs they hold).
void inspectorTables(const NeuronSummary &s, const NeuronClassModel &classModel,
                     const TopWordsModel &wordsModel, QByteArray *classesCsv, QByteArray *wordsCsv,
                     QJsonObject *json)
{
    *classesCsv = classModel.toCsv();
    *wordsCsv = wordsModel.toCsv();
    QJsonObject j;
    j[QStringLiteral("layer")] = s.id.layer;
    j[QStringLiteral("unit")] = s.id.unit;
    j[QStringLiteral("flat_index")] = s.flatIndex;
    j[QStringLiteral("overall_rank")] = s.overallRank;
    j[QStringLiteral("rank_definition")] =
        QStringLiteral("overall rank by weight mass (core's ordering), 1 = most salient");
    j[QStringLiteral("neurons")] = s.neurons;
    j[QStringLiteral("classes")] = classModel.toJson();
    j[QStringLiteral("top_words")] = wordsModel.toJson();
    *json = j;
}

/// What the report job writes: built on the GUI thread from the window, written by the job.
struct ReportPlan {
    std::vector<std::pair<QString, QByteArray>> files; ///< path relative to the folder → bytes
    std::vector<Figure> figures; ///< each written as figures/NAME.pdf, .svg and .png
    Session session;             ///< saved as session.json (+ arrays)
    FigureOptions options;       ///< size, font and DPI of every figure
};

/// The plan of the report of @p src: data snapshots and the figures to record. GUI thread.
bool planReport(const ReportSources &src, ReportPlan *plan, QString *error)
{
    const SessionController &c = *src.controller;
    plan->options = src.figures;
    std::vector<Section> sections;
    QStringList tableFiles;
    auto addFigure = [&](Figure figure, const QString &name, QStringList *files) {
        figure.name = name;
        for (const QString &suffix : figureSuffixes())
            *files << QStringLiteral("figures/%1.%2").arg(name, suffix);
        plan->figures.push_back(std::move(figure));
    };
    auto canvasFigure = [](PlotCanvas *cv, const QString &base) {
        Figure figure = cv->figure(base);
        if (!figure.paint) // an empty canvas: its axes, as on screen
            figure.paint = [cv = QPointer<PlotCanvas>(cv)](QCPPainter &painter, const QRectF &rect,
                                                           const FigureStyle &style) {
                if (cv)
                    cv->paintFigure(painter, rect, style);
            };
        return figure;
    };
    // A canvas's figure and its data (tables/BASE.csv and .json), listed in @p files.
    auto canvasFiles = [&](PlotCanvas *cv, const QString &base, QStringList *figureFiles,
                           QStringList *dataFiles) {
        addFigure(canvasFigure(cv, base), base, figureFiles);
        const QByteArray csv = cv->csv();
        const QString csvRel = QStringLiteral("tables/%1.csv").arg(base);
        const QString jsonRel = QStringLiteral("tables/%1.json").arg(base);
        plan->files.emplace_back(csvRel, csv);
        plan->files.emplace_back(jsonRel,
                                 QJsonDocument(csvToJson(csv)).toJson(QJsonDocument::Indented));
        *dataFiles << csvRel << jsonRel;
    };
    auto canvas = [&](PlotCanvas *cv, const QString &title, const QString &base, int w, int h,
                      const QString &note = {}) {
        Q_UNUSED(w);
        Q_UNUSED(h);
        Section s{title, note, {}};
        canvasFiles(cv, base, &s.files, &s.files);
        sections.push_back(s);
        return true;
    };
    auto file = [&](const QString &rel, const QByteArray &bytes) {
        plan->files.emplace_back(rel, bytes);
        tableFiles << rel;
        return true;
    };

    // Every result exactly as core serialises it.
    QJsonObject analyses;
    for (const QString &name : c.resultNames()) {
        const AnalysisResult &r = *c.result(name);
        if (!file(QStringLiteral("results/%1.json").arg(name), QJsonDocument(toJson(r)).toJson()))
            return false;
        for (const auto &[suffix, csv] : csvTables(r)) {
            const QString rel = suffix == QLatin1String("csv")
                                    ? QStringLiteral("results/%1.csv").arg(name)
                                    : QStringLiteral("results/%1.%2").arg(name, suffix);
            if (!file(rel, csv))
                return false;
        }
        QJsonObject a;
        a[QStringLiteral("options")] = c.session().analysisOptions.value(name);
        a[QStringLiteral("probe_options")] = toJson(c.session().probeOptionsFor(name));
        analyses[name] = a;
    }

    const ProbeReport *probe = c.probe();
    if (probe) {
        QString note =
            QObject::tr("Probe: %1. Colour: %2; label: %3. Ranks are overall "
                        "ranks by weight mass (1 = most salient).")
                .arg(optionsLabel(probe->options), src.salience->valueChooser()->currentText(),
                     src.salience->labelChooser()->currentText());
        // The stability line under the heatmap (repeated probes; results/probe.seeds.csv).
        const QString stability = seedStabilityText(*probe);
        if (!stability.isEmpty())
            note += QLatin1Char('\n') + QObject::tr("Seeds: %1.").arg(stability);
        if (!canvas(src.salience->canvas(), QObject::tr("Salience heatmap"),
                    QStringLiteral("heatmap"), 1600, 700, note)
            || !canvas(src.layers, QObject::tr("Layer distribution"), QStringLiteral("layers"),
                       1000, 600, optionsLabel(probe->options)))
            return false;
        // The overall salience matrix as core computes it (layers × units).
        const SalienceMatrix sm = salienceMatrix(*probe, -1, SalienceMode::WeightShare);
        QStringList header{QStringLiteral("layer")};
        for (int d = 0; d < sm.dims; ++d)
            header << QStringLiteral("u%1").arg(d);
        QByteArray csv = csvLine(header);
        QJsonArray rows;
        for (int l = 0; l < sm.layers; ++l) {
            QStringList cells{QString::number(sm.layerIds[size_t(l)])};
            QJsonArray row;
            for (int d = 0; d < sm.dims; ++d) {
                const float v = sm.values(l, d);
                cells << (std::isfinite(v) ? QString::number(double(v), 'g', 9) : QString());
                row.append(std::isfinite(v) ? QJsonValue(double(v)) : QJsonValue());
            }
            csv += csvLine(cells);
            rows.append(row);
        }
        QJsonObject mj;
        mj[QStringLiteral("kind")] = QStringLiteral("share of weight mass, all labels");
        mj[QStringLiteral("layout")] = toJson(probe->layout);
        mj[QStringLiteral("values")] = rows;
        if (!file(QStringLiteral("tables/salience_matrix.csv"), csv)
            || !file(QStringLiteral("tables/salience_matrix.json"), QJsonDocument(mj).toJson()))
            return false;
    }
    if (c.ablation() || c.minimalSubset()) {
        QString note = src.curves->statusText();
        if (!src.curves->selectivityLine().isEmpty())
            note += QLatin1Char('\n') + src.curves->selectivityLine();
        if (!canvas(src.curves->canvas(), QObject::tr("Ablation and minimal subset"),
                    QStringLiteral("curves"), 1200, 700, note))
            return false;
    }
    // Selectivity without curves: its numbers (the view's text, with seeds and baselines) alone.
    if (const SelectivityReport *sel = c.selectivity(); sel && !c.ablation() && !c.minimalSubset())
        sections.push_back({QObject::tr("Selectivity (control tasks)"), selectivityText(*sel), {}});
    if (const GridSearchReport *g = c.gridSearch())
        if (!canvas(src.grid->canvas(), QObject::tr("Grid search"), QStringLiteral("grid"), 1000,
                    700,
                    src.grid->summaryText() + QLatin1Char('\n') + src.grid->costText()
                        + QLatin1Char('\n') + optionsLabel(g->probe)))
            return false;
    if (const LayerwiseReport *l = c.layerwise())
        if (!canvas(src.layerwise->canvas(), QObject::tr("Layer-wise probes"),
                    QStringLiteral("layerwise"), 1000, 600,
                    src.layerwise->summaryText() + QLatin1Char('\n') + optionsLabel(l->probe)))
            return false;
    if (src.training->pointCount() > 0)
        if (!canvas(src.training, QObject::tr("Training curve"), QStringLiteral("training"), 1000,
                    500, src.training->title()))
            return false;
    if (src.words->sentenceCount() > 0) {
        Section s{QObject::tr("Per-word activations"), src.words->data().title, {}};
        addFigure(src.words->figure(), QStringLiteral("words"), &s.files);
        sections.push_back(s);
    }
    if (c.selectedColumn() >= 0 && src.inspector->summary().column == c.selectedColumn()) {
        Section s{QObject::tr("Neuron inspector"), src.inspector->summaryText(), {}};
        addFigure(inspectorFigure(src.inspector), QStringLiteral("inspector"), &s.files);
        sections.push_back(s);
        QByteArray classes, words;
        QJsonObject j;
        inspectorTables(src.inspector->summary(), *src.inspector->classModel(),
                        *src.inspector->topWordsModel(), &classes, &words, &j);
        if (!file(QStringLiteral("tables/inspector_classes.csv"), classes)
            || !file(QStringLiteral("tables/inspector_classes.json"),
                     QJsonDocument(j.value(QStringLiteral("classes")).toArray()).toJson())
            || !file(QStringLiteral("tables/inspector_top_words.csv"), words)
            || !file(QStringLiteral("tables/inspector_top_words.json"),
                     QJsonDocument(j.value(QStringLiteral("top_words")).toArray()).toJson())
            || !file(QStringLiteral("tables/inspector.json"), QJsonDocument(j).toJson()))
            return false;
    }
    if (src.intervention && c.result(QStringLiteral("intervention"))) {
        // The curves of the "intervention" result (results/intervention.json has the numbers).
        for (InterventionCanvas *cv :
             {src.intervention->accuracyCanvas(), src.intervention->lossCanvas()})
            if (cv->emptyText().isEmpty()
                && !canvas(cv, cv->title(), QStringLiteral("intervention_") + cv->metric(), 1000,
                           600, src.intervention->summaryText()))
                return false;
    }
    if (src.compare->hasComparison()) {
        CompareDock *cmp = src.compare;
        Section s{QObject::tr("Compare"), cmp->summaryText(), {}};
        canvasFiles(cmp->layerBars(), QStringLiteral("compare-layers"), &s.files, &tableFiles);
        if (cmp->hasCurvesA())
            canvasFiles(cmp->curvesA(), QStringLiteral("compare-curves-a"), &s.files, &tableFiles);
        if (cmp->hasCurvesB())
            canvasFiles(cmp->curvesB(), QStringLiteral("compare-curves-b"), &s.files, &tableFiles);
        file(QStringLiteral("tables/compare-overlap.csv"), cmp->overlapCsv());
        file(QStringLiteral("tables/compare-overlap.json"),
             QJsonDocument(cmp->overlapJson()).toJson());
        sections.push_back(s);
    }
    if (!file(QStringLiteral("tables/data_report.txt"), src.dataReport.toUtf8()))
        return false;
    if (!c.session().notes.isEmpty()) {
        file(QStringLiteral("tables/notes.csv"), notesToCsv(c.session().notes));
        file(QStringLiteral("tables/notes.json"),
             QJsonDocument(notesToJson(c.session().notes)).toJson());
    }

    // The session that replays every result above with its own probe options.
    plan->session = c.session();
    const Session &session = c.session();
    QJsonObject params;
    params[QStringLiteral("salient_version")] = QStringLiteral(SALIENT_VERSION);
    params[QStringLiteral("created")] = QDateTime::currentDateTimeUtc().toString(Qt::ISODate);
    params[QStringLiteral("source_session")] = c.sessionPath();
    params[QStringLiteral("analyses")] = analyses;
    params[QStringLiteral("data_options")] = toJson(session.dataOptions);
    params[QStringLiteral("data_seed")] = QString::number(session.dataOptions.seed);
    if (session.model.isSet())
        params[QStringLiteral("model")] = toJson(session.model);
    if (session.demo)
        params[QStringLiteral("demo")] =
            QStringLiteral("built-in synthetic demo dataset, property %1, seed %2")
                .arg(session.demoProperty)
                .arg(session.demoSeed);
    plan->files.emplace_back(QStringLiteral("params.json"), QJsonDocument(params).toJson());

    auto esc = [](const QString &t) { return t.toHtmlEscaped(); };
    QString html = QStringLiteral(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Salient report</title>\n"
        "<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}"
        "img{max-width:100%;border:1px solid #ddd}code{background:#f4f4f4}</style></head><body>\n");
    html += QStringLiteral("<h1>Salient report</h1>\n<p>%1 · Salient %2 · %3</p>\n")
                .arg(esc(src.title), QStringLiteral(SALIENT_VERSION),
                     params.value(QStringLiteral("created")).toString());
    if (session.demo)
        html += QStringLiteral("<p><b>Data: the built-in SYNTHETIC demo dataset.</b></p>\n");
    if (session.model.isSet()) // the checkpoint the activations came from (docs/live.md)
        html += QStringLiteral("<p>Model: %1 (<code>%2</code>, SHA-256 <code>%3</code>)</p>\n")
                    .arg(esc(model::describeSessionModel(session.model)), esc(session.model.path),
                         esc(session.model.fingerprint));
    html +=
        QStringLiteral("<p>Every result below was computed with the probe options named with "
                       "it; <code>salient-cli run session.json</code> (<a "
                       "href=\"session.json\">session.json</a>) replays each one with the same "
                       "options. Parameters: <a href=\"params.json\">params.json</a>.</p>\n<ul>\n");
    for (const QString &name : c.resultNames())
        html += QStringLiteral("<li><b>%1</b>: %2</li>\n")
                    .arg(esc(name), esc(optionsLabel(session.probeOptionsFor(name))));
    html += QStringLiteral("</ul>\n");
    for (const Section &s : sections) {
        html += QStringLiteral("<h2>%1</h2>\n").arg(esc(s.title));
        if (!s.note.isEmpty())
            html += QStringLiteral("<p>%1</p>\n")
                        .arg(esc(s.note).replace(QLatin1Char('\n'), QStringLiteral("<br>")));
        QStringList links;
        for (const QString &f : s.files) {
            if (f.endsWith(QStringLiteral(".png")))
                html += QStringLiteral("<p><img src=\"%1\" alt=\"%2\"></p>\n")
                            .arg(esc(f), esc(s.title));
            links << QStringLiteral("<a href=\"%1\">%1</a>").arg(esc(f));
        }
        html += QStringLiteral("<p>Files: %1</p>\n").arg(links.join(QStringLiteral(" · ")));
    }
    html += QStringLiteral("<h2>Results and tables</h2>\n<ul>\n");
    for (const QString &f : tableFiles)
        html += QStringLiteral("<li><a href=\"%1\">%1</a></li>\n").arg(esc(f));
    html += QStringLiteral("</ul>\n</body></html>\n");
    plan->files.emplace_back(QStringLiteral("index.html"), html.toUtf8());
    Q_UNUSED(error);
    return true;
}

} // namespace

namespace {

/// Where a report goes: the folder @c name in @c parent, replacing an earlier report or not.
struct ReportTarget {
    QString parent;
    QString name;
    bool replace = false;
};

/// Checks @p dirPath (GUI thread, before the job starts): false and a readable @p error for a
/// path that cannot hold a report.
bool checkTarget(const QString &dirPath, ReportTarget *out, QString *error)
{
    auto fail = [&](const QString &message) {
        if (error)
            *error = message;
        return false;
    };
    const QFileInfo target(QDir::cleanPath(QFileInfo(dirPath).absoluteFilePath()));
    const QString name = target.fileName();
    const QDir parent = target.absoluteDir();
    if (name.isEmpty())
        return fail(QObject::tr("%1: not a valid report folder name").arg(dirPath));
    if (!parent.exists() && !QDir().mkpath(parent.absolutePath()))
        return fail(QObject::tr("%1: cannot create the parent folder").arg(parent.absolutePath()));
    bool replace = false;
    if (target.exists()) {
        if (!target.isDir())
            return fail(QObject::tr("%1 exists and is not a folder").arg(target.filePath()));
        const QDir existing(target.filePath());
        const bool empty = existing.isEmpty(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden);
        const bool earlierReport = existing.exists(QStringLiteral("index.html"))
                                   && existing.exists(QStringLiteral("params.json"));
        if (!empty && !earlierReport)
            return fail(QObject::tr("%1 exists and is not empty (and is not an earlier Salient "
                                    "report): choose a new folder")
                            .arg(target.filePath()));
        replace = true;
    }
    *out = {parent.absolutePath(), name, replace};
    return true;
}

/**
 * Hands the figures recorded on the GUI thread to the job, in plan order. The GUI thread
 * appends (one figure per event-loop turn), the job's worker waits for each in turn; @c stop
 * tells the GUI side that the job has ended (cancelled, failed or done) and no more is needed.
 */
struct FigureFeed {
    std::mutex mutex;
    std::condition_variable ready;
    std::vector<RecordedFigure> recorded; // guarded by mutex
    QString failure;                      // guarded by mutex; non-empty: recording failed
    std::atomic<bool> stop{false};
};

/// GUI thread: records figure @p i of @p figures into @p feed, then schedules the next one on a
/// later event-loop turn, so no single stall of the GUI is longer than one figure's drawing.
void recordFrom(QObject *context, std::shared_ptr<FigureFeed> feed,
                std::shared_ptr<std::vector<Figure>> figures, FigureOptions options, size_t i)
{
    if (feed->stop.load() || i >= figures->size())
        return;
    RecordedFigure r;
    QString why;
    const bool ok = recordFigure((*figures)[i], options, &r, &why);
    {
        const std::lock_guard<std::mutex> lock(feed->mutex);
        if (ok)
            feed->recorded.push_back(std::move(r));
        else
            feed->failure = QStringLiteral("%1: %2").arg((*figures)[i].name, why);
    }
    feed->ready.notify_all();
    if (ok && i + 1 < figures->size())
        QTimer::singleShot(0, context, [context, feed, figures, options, i] {
            recordFrom(context, feed, figures, options, i + 1);
        });
}

/// Worker thread: removes the staging folder unless released (failure, cancel, exception).
struct StagingGuard {
    QString path;
    ~StagingGuard()
    {
        if (!path.isEmpty())
            QDir(path).removeRecursively();
    }
};

/// The job's work: writes @p plan and the recorded figures into a staging folder next to the
/// target and renames it into place at the end. Worker thread; touches no widget.
JobStatus writePlanned(JobContext &ctx, ReportPlan &plan, const ReportTarget &target,
                       FigureFeed &feed, size_t figureCount)
{
    const QDir parent(target.parent);
    const QString suffix =
        QStringLiteral("%1-%2").arg(QCoreApplication::applicationPid()).arg(ctx.id());
    const QString staging =
        parent.filePath(QStringLiteral(".%1.partial-%2").arg(target.name, suffix));
    auto failed = [&](const QString &why) {
        ctx.setMessage(
            QObject::tr("The report was not written (nothing was left behind): %1").arg(why));
        return JobStatus::Failed;
    };
    auto cancelled = [&] {
        ctx.setMessage(QObject::tr("Report export cancelled; nothing was written."));
        return JobStatus::Cancelled;
    };
    QDir(staging).removeRecursively();
    StagingGuard guard{staging};
    for (const char *sub : {"figures", "tables", "results"})
        if (!QDir().mkpath(staging + QLatin1Char('/') + QLatin1String(sub)))
            return failed(QObject::tr("%1: cannot create a folder there").arg(target.parent));

    const double steps = double(plan.files.size() + 1 + figureCount * figureSuffixes().size());
    double done = 0;
    auto step = [&](const QString &what) {
        return ctx.report(done++ / steps, QObject::tr("Writing %1").arg(what));
    };
    QString why;
    for (const auto &[rel, bytes] : plan.files) {
        if (!step(rel))
            return cancelled();
        if (!writeFileAtomic(staging + QLatin1Char('/') + rel, bytes, &why))
            return failed(why);
    }
    if (!step(QStringLiteral("session.json")))
        return cancelled();
    salient::saveSession(staging + QStringLiteral("/session.json"), plan.session);

    for (size_t i = 0; i < figureCount; ++i) {
        RecordedFigure figure;
        {
            std::unique_lock<std::mutex> lock(feed.mutex);
            while (feed.recorded.size() <= i && feed.failure.isEmpty()) {
                if (ctx.cancelled())
                    return cancelled();
                feed.ready.wait_for(lock, std::chrono::milliseconds(50));
            }
            if (feed.recorded.size() <= i)
                return failed(feed.failure);
            figure = feed.recorded[i];
        }
        for (const QString &format : figureSuffixes()) {
            const QString rel = QStringLiteral("figures/%1.%2").arg(figure.name, format);
            if (!step(rel))
                return cancelled();
            QByteArray bytes;
            if (!renderRecordedFigure(figure, format, &bytes, &why)
                || !writeFileAtomic(staging + QLatin1Char('/') + rel, bytes, &why))
                return failed(why);
        }
    }
    if (ctx.cancelled())
        return cancelled();

    // Into place: an earlier report is moved aside first and removed only once the new one is in.
    QDir dir(target.parent);
    QString backup;
    if (target.replace) {
        backup = QStringLiteral(".%1.old-%2").arg(target.name, suffix);
        QDir(dir.filePath(backup)).removeRecursively();
        if (!dir.rename(target.name, backup))
            return failed(QObject::tr("%1: cannot replace the earlier report (is a file in it "
                                      "open?)")
                              .arg(dir.filePath(target.name)));
    }
    if (!dir.rename(QFileInfo(staging).fileName(), target.name)) {
        if (!backup.isEmpty())
            dir.rename(backup, target.name);
        return failed(QObject::tr("%1: cannot move the finished report into place")
                          .arg(dir.filePath(target.name)));
    }
    guard.path.clear();
    if (!backup.isEmpty())
        QDir(dir.filePath(backup)).removeRecursively();
    ctx.report(1.0, QObject::tr("Report written"));
    ctx.setMessage(dir.filePath(target.name));
    return JobStatus::Ok;
}

} // namespace

int startReportJob(JobRunner *runner, const ReportSources &src, const QString &dirPath,
                   JobRunner::Done onDone, QString *error)
{
    auto fail = [&](const QString &message) {
        if (error)
            *error = message;
        return -1;
    };
    if (!runner)
        return fail(QObject::tr("No job runner to write the report with."));
    if (!src.controller || !src.controller->task())
        return fail(QObject::tr("Nothing to report: load data (and run an analysis) first."));
    if (const QString why = validateFigureOptions(src.figures); !why.isEmpty())
        return fail(why);
    ReportTarget target;
    if (!checkTarget(dirPath, &target, error))
        return -1;
    auto plan = std::make_shared<ReportPlan>();
    QString why;
    try {
        if (!planReport(src, plan.get(), &why))
            return fail(
                QObject::tr("The report was not written (nothing was left behind): %1").arg(why));
    } catch (const std::exception &e) {
        return fail(QObject::tr("The report was not written (nothing was left behind): %1")
                        .arg(QString::fromLocal8Bit(e.what())));
    }
    // The figures stay on the GUI thread (they draw the views' widgets); the job gets them
    // recorded, one per event-loop turn, and writes everything else meanwhile.
    auto figures = std::make_shared<std::vector<Figure>>(std::move(plan->figures));
    plan->figures.clear();
    auto feed = std::make_shared<FigureFeed>();
    const size_t count = figures->size();
    const int id = runner->start(
        QObject::tr("Export report %1").arg(target.name),
        [plan, target, feed, count](JobContext &ctx) {
            JobStatus status = JobStatus::Failed;
            try {
                status = writePlanned(ctx, *plan, target, *feed, count);
            } catch (...) {
                feed->stop.store(true);
                throw;
            }
            feed->stop.store(true);
            return status;
        },
        std::move(onDone), JobRunner::Lane::Interactive);
    const FigureOptions options = plan->options;
    QTimer::singleShot(0, runner, [runner, feed, figures, options] {
        recordFrom(runner, feed, figures, options, 0);
    });
    return id;
}

} // namespace salient::ui
