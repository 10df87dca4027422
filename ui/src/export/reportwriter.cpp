#include "salient/ui/export/reportwriter.h"

#include "salient/probe/salience.h"
#include "salient/session/resultsjson.h"
#include "salient/ui/controller/sessioncontroller.h"
#include "salient/ui/export/report.h"
#include "salient/ui/export/reportnotes.h"
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
#include <cmath>

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

/// Writes everything into the (new, empty) folder @p dir.
bool writeInto(const ReportSources &src, const QString &dir, QString *error)
{
    const SessionController &c = *src.controller;
    const QString figures = dir + QStringLiteral("/figures");
    const QString tables = dir + QStringLiteral("/tables");
    const QString results = dir + QStringLiteral("/results");
    if (!QDir().mkpath(figures) || !QDir().mkpath(tables) || !QDir().mkpath(results)) {
        *error = QObject::tr("%1: cannot create sub-folders").arg(dir);
        return false;
    }
    std::vector<Section> sections;
    QStringList tableFiles;
    auto canvas = [&](PlotCanvas *cv, const QString &title, const QString &base, int w, int h,
                      const QString &note = {}) {
        Q_UNUSED(w);
        Q_UNUSED(h);
        Section s{title, note, {}};
        if (!writeCanvasFiles(cv, figures, tables, base, src.figures, dir, &s.files, error))
            return false;
        sections.push_back(s);
        return true;
    };
    auto file = [&](const QString &rel, const QByteArray &bytes) {
        if (!writeFileAtomic(dir + QLatin1Char('/') + rel, bytes, error))
            return false;
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
        if (!writeFigureFiles(src.words->figure(), src.figures, figures, dir, &s.files, error))
            return false;
        sections.push_back(s);
    }
    if (c.selectedColumn() >= 0 && src.inspector->summary().column == c.selectedColumn()) {
        Section s{QObject::tr("Neuron inspector"), src.inspector->summaryText(), {}};
        if (!writeFigureFiles(inspectorFigure(src.inspector), src.figures, figures, dir, &s.files,
                              error))
            return false;
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
        QStringList written;
        if (!src.compare->exportTo(figures, tables, dir, &written, error))
            return false;
        Section s{QObject::tr("Compare"), src.compare->summaryText(), {}};
        for (const QString &f : written)
            (f.startsWith(QStringLiteral("figures/")) ? s.files : tableFiles) << f;
        sections.push_back(s);
    }
    if (!file(QStringLiteral("tables/data_report.txt"), src.dataReport.toUtf8()))
        return false;
    if (!writeNotesTables(c.session().notes, dir, &tableFiles, error))
        return false;

    // The session that replays every result above with its own probe options.
    if (!c.writeSessionCopy(dir + QStringLiteral("/session.json"), error))
        return false;
    const Session &session = c.session();
    QJsonObject params;
    params[QStringLiteral("salient_version")] = QStringLiteral(SALIENT_VERSION);
    params[QStringLiteral("created")] = QDateTime::currentDateTimeUtc().toString(Qt::ISODate);
    params[QStringLiteral("source_session")] = c.sessionPath();
    params[QStringLiteral("analyses")] = analyses;
    params[QStringLiteral("data_options")] = toJson(session.dataOptions);
    params[QStringLiteral("data_seed")] = QString::number(session.dataOptions.seed);
    if (session.demo)
        params[QStringLiteral("demo")] =
            QStringLiteral("built-in synthetic demo dataset, property %1, seed %2")
                .arg(session.demoProperty)
                .arg(session.demoSeed);
    if (!writeFileAtomic(dir + QStringLiteral("/params.json"), QJsonDocument(params).toJson(),
                         error))
        return false;

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
    return writeFileAtomic(dir + QStringLiteral("/index.html"), html.toUtf8(), error);
}

} // namespace

bool writeReport(const ReportSources &src, const QString &dirPath, QString *error)
{
    auto fail = [&](const QString &message) {
        if (error)
            *error = message;
        return false;
    };
    if (!src.controller || !src.controller->task())
        return fail(QObject::tr("Nothing to report: load data (and run an analysis) first."));
    const QFileInfo target(QDir::cleanPath(QFileInfo(dirPath).absoluteFilePath()));
    const QString name = target.fileName();
    QDir parent = target.absoluteDir();
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
    const QString suffix = QString::number(QCoreApplication::applicationPid());
    const QString staging = parent.filePath(QStringLiteral(".%1.partial-%2").arg(name, suffix));
    QDir(staging).removeRecursively();
    if (!QDir().mkpath(staging))
        return fail(QObject::tr("%1: cannot create a folder there").arg(parent.absolutePath()));
    QString why;
    bool ok = false;
    try {
        ok = writeInto(src, staging, &why);
    } catch (const std::exception &e) {
        why = QString::fromLocal8Bit(e.what());
    }
    if (!ok) {
        QDir(staging).removeRecursively();
        return fail(
            QObject::tr("The report was not written (nothing was left behind): %1").arg(why));
    }
    QString backup;
    if (replace) {
        backup = parent.filePath(QStringLiteral(".%1.old-%2").arg(name, suffix));
        QDir(backup).removeRecursively();
        if (!parent.rename(name, QFileInfo(backup).fileName())) {
            QDir(staging).removeRecursively();
            return fail(QObject::tr("%1: cannot replace the earlier report (is a file in it "
                                    "open?)")
                            .arg(target.filePath()));
        }
    }
    if (!parent.rename(QFileInfo(staging).fileName(), name)) {
        if (!backup.isEmpty())
            parent.rename(QFileInfo(backup).fileName(), name);
        QDir(staging).removeRecursively();
        return fail(
            QObject::tr("%1: cannot move the finished report into place").arg(target.filePath()));
    }
    if (!backup.isEmpty())
        QDir(backup).removeRecursively();
    return true;
}

} // namespace salient::ui
