#include "salient/ui/controller/sessioncontroller.h"

#include "salient/data/demo.h"
#include "salient/io/isolation.h"
#include "salient/session/resultsjson.h"
#include "salient/ui/jobs/jobrunner.h"
#include "salient/util/error.h"

#include <QDateTime>
#include <QFileInfo>

namespace salient::ui {

namespace {

/// Analyses whose result was computed from another's (selectivity uses the minimal subset).
const std::map<QString, QStringList> &dependents()
{
    static const std::map<QString, QStringList> d{
        {QStringLiteral("minimal-subset"), {QStringLiteral("selectivity")}}};
    return d;
}

QString lambdaText(const ProbeOptions &po)
{
    return QStringLiteral("λ1 = %1, λ2 = %2").arg(po.l1).arg(po.l2);
}

} // namespace

bool compatibleProbeOptions(const ProbeOptions &a, const ProbeOptions &b, bool ignoreLambda)
{
    ProbeOptions x = a, y = b;
    if (ignoreLambda) {
        x.l1 = y.l1 = 0;
        x.l2 = y.l2 = 0;
    }
    return toJson(x) == toJson(y);
}

SessionController::SessionController(JobRunner *jobs, QObject *parent)
    : QObject(parent), m_jobs(jobs)
{
    setUpModel();
}

SessionController::~SessionController() = default;

std::optional<ProbeOptions> SessionController::resultOptions() const
{
    if (m_results.count(QStringLiteral("probe")))
        return m_session.probeOptionsFor(QStringLiteral("probe"));
    for (const auto &[name, r] : m_results)
        if (name != QLatin1String("grid-search"))
            return m_session.probeOptionsFor(name);
    return std::nullopt;
}

const AnalysisResult *SessionController::result(const QString &name) const
{
    const auto it = m_results.find(name);
    return it == m_results.end() ? nullptr : it->second.get();
}

std::shared_ptr<const AnalysisResult> SessionController::sharedResult(const QString &name) const
{
    const auto it = m_results.find(name);
    return it == m_results.end() ? nullptr : it->second;
}

QStringList SessionController::resultNames() const
{
    QStringList names;
    for (const QString &n : m_session.analyses)
        if (m_results.count(n))
            names << n;
    return names;
}

void SessionController::setTask(std::shared_ptr<const LoadedTask> task, Session session,
                                const QString &source, const QString &path)
{
    m_task = std::move(task);
    m_layout = m_task && m_task->train ? NeuronLayout::of(*m_task->train) : NeuronLayout{};
    ++m_generation;
    m_session = std::move(session);
    m_results.clear();
    m_selected = -1;
    m_source = source;
    m_sessionPath = path;
    Q_EMIT dataLoaded();
    Q_EMIT notesChanged();
    Q_EMIT neuronSelected(-1);
    Q_EMIT sessionPathChanged(path);
}

int SessionController::loadDemo()
{
    auto task = std::make_shared<std::shared_ptr<const LoadedTask>>();
    const DatasetOptions dopt; // the demo with default data options, as `salient-cli --demo`
    return m_jobs->start(
        tr("Load demo dataset"),
        [task, dopt](JobContext &ctx) {
            ctx.report(0.1, QStringLiteral("generating"));
            *task = std::make_shared<const LoadedTask>(
                loadDemoTask(makeDemoDataset(), QStringLiteral("pos"), dopt));
            return JobStatus::Ok;
        },
        [this, task](JobStatus status, const QString &) {
            if (status != JobStatus::Ok)
                return;
            Session s;
            s.demo = true;
            setTask(*task, std::move(s), tr("built-in demo dataset (SYNTHETIC)"), {});
        });
}

int SessionController::loadFiles(const TaskInputs &inputs, const std::optional<ProbeOptions> &probe)
{
    auto task = std::make_shared<std::shared_ptr<const LoadedTask>>();
    return m_jobs->start(
        tr("Load %1").arg(QFileInfo(inputs.train.activations).fileName()),
        [task, inputs](JobContext &ctx) {
            // The HDF5 library can crash or hang on some malformed files: read each
            // activation file's metadata in a child process first, so such a file costs an
            // error message, not the session.
            for (const SplitPaths *sp : {&inputs.train, &inputs.dev, &inputs.test}) {
                if (!sp->isSet())
                    continue;
                ctx.report(0.0, QStringLiteral("checking %1 in a separate process")
                                    .arg(QFileInfo(sp->activations).fileName()));
                const IsolatedCheck check = checkFileInChildProcess(sp->activations, 60000);
                if (check.result == IsolatedCheck::Result::BadInput
                    || check.result == IsolatedCheck::Result::Crashed
                    || check.result == IsolatedCheck::Result::TimedOut)
                    throw Error(check.message);
                if (ctx.cancelled())
                    return JobStatus::Cancelled;
            }
            *task = std::make_shared<const LoadedTask>(loadTask(
                inputs, [&ctx](double f) { return ctx.report(f, QStringLiteral("reading")); }));
            return JobStatus::Ok;
        },
        [this, task, inputs, probe](JobStatus status, const QString &) {
            if (status != JobStatus::Ok)
                return;
            Session s;
            s.dataOptions = inputs.options;
            if (probe)
                s.probeOptions = *probe;
            const std::pair<QString, const SplitPaths *> splits[] = {
                {QStringLiteral("train"), &inputs.train},
                {QStringLiteral("dev"), &inputs.dev},
                {QStringLiteral("test"), &inputs.test}};
            try {
                for (const auto &[name, p] : splits)
                    if (p->isSet())
                        s.splits[name] = {describeInput(p->activations), describeInput(p->tokens),
                                          describeInput(p->labels)};
            } catch (const Error &e) {
                Q_EMIT errorOccurred(e.message());
            }
            setTask(*task, std::move(s), QFileInfo(inputs.train.activations).fileName(), {});
            hashInputs();
        });
}

void SessionController::hashInputs()
{
    // Full SHA-256 of the inputs, recorded in the session when done (if the same data are still
    // loaded).
    auto hashed = std::make_shared<Session>(m_session);
    const quint64 generation = m_generation;
    m_jobs->start(
        tr("Checksum inputs (SHA-256)"),
        [hashed](JobContext &) {
            hashInputsInBackground(*hashed).get();
            return JobStatus::Ok;
        },
        [this, hashed, generation](JobStatus status, const QString &) {
            if (status != JobStatus::Ok || generation != m_generation)
                return;
            for (auto &[name, files] : m_session.splits) {
                const auto it = hashed->splits.find(name);
                if (it == hashed->splits.end())
                    continue;
                for (size_t k = 0; k < files.size(); ++k)
                    if (files[k].path == it->second[k].path)
                        files[k].sha256 = it->second[k].sha256;
            }
        });
}

int SessionController::openSession(const QString &path, SessionCheck *check)
{
    auto session = std::make_shared<Session>();
    try {
        *session = salient::loadSession(path, check);
    } catch (const Error &e) {
        Q_EMIT errorOccurred(e.message());
        return -1;
    }
    // Typed results are read back now (a malformed result is an error before anything loads).
    auto results = std::make_shared<std::map<QString, std::shared_ptr<const AnalysisResult>>>();
    try {
        for (const QString &name : session->analyses)
            if (session->results.contains(name))
                (*results)[name] = std::make_shared<const AnalysisResult>(
                    resultFromJson(name, session->results.value(name).toObject(), session->arrays));
    } catch (const Error &e) {
        Q_EMIT errorOccurred(tr("%1: %2").arg(path, e.message()));
        return -1;
    }
    auto task = std::make_shared<std::shared_ptr<const LoadedTask>>();
    return m_jobs->start(
        tr("Open session %1").arg(QFileInfo(path).fileName()),
        [task, session](JobContext &ctx) {
            *task = std::make_shared<const LoadedTask>(loadSessionData(
                *session, [&ctx](double f) { return ctx.report(f, QStringLiteral("reading")); }));
            return JobStatus::Ok;
        },
        [this, task, session, results, path](JobStatus status, const QString &) {
            if (status != JobStatus::Ok)
                return;
            setTask(*task, *session, QFileInfo(path).fileName(), path);
            // A stored result of another neuron layout (e.g. the data files changed) is not shown.
            for (const auto &[name, r] : *results) {
                const auto *p = std::get_if<ProbeReport>(r.get());
                if (p && !(p->layout == m_layout)) {
                    Q_EMIT resultInvalidated(
                        name, tr("The stored probe is for %1 neurons; the loaded data have %2.")
                                  .arg(p->layout.columns())
                                  .arg(m_layout.columns()));
                    continue;
                }
                m_results[name] = r;
            }
            for (const QString &name : resultNames())
                Q_EMIT resultChanged(name);
            // As after training: the most salient neuron is selected.
            if (const ProbeReport *p = probe(); p && !p->ordering.empty())
                selectColumn(p->ordering.front(), true);
            Q_EMIT sessionOpened(session->view);
        });
}

bool SessionController::saveSession(const QString &path, QString *error)
{
    try {
        salient::saveSession(path, m_session);
    } catch (const Error &e) {
        if (error)
            *error = e.message();
        return false;
    }
    m_sessionPath = path;
    Q_EMIT sessionPathChanged(path);
    return true;
}

bool SessionController::writeSessionCopy(const QString &path, QString *error) const
{
    Session copy = m_session;
    try {
        salient::saveSession(path, copy);
    } catch (const Error &e) {
        if (error)
            *error = e.message();
        return false;
    }
    return true;
}

int SessionController::runAnalysis(const QString &name, const ProbeOptions &probe,
                                   const QJsonObject &options)
{
    if (!m_task) {
        Q_EMIT errorOccurred(tr("Load data first (File › Open data files, or the built-in demo)."));
        return -1;
    }
    ProbeOptions po = probe;
    po.regression = m_session.dataOptions.task == TaskType::Regression;
    try {
        po.validate();
    } catch (const Error &e) {
        Q_EMIT errorOccurred(e.message());
        return -1;
    }
    const std::shared_ptr<const LoadedTask> task = m_task;
    // The job sees the session as it is now (selectivity reads the minimal subset from it).
    auto session = std::make_shared<Session>(m_session);
    auto out = std::make_shared<AnalysisOutput>();
    const bool live = name == QLatin1String("probe");
    const QString title =
        task->storage.mode == StorageMode::Float32
            ? name
            : QStringLiteral("%1 · %2").arg(name, task->storage.mode == StorageMode::Streamed
                                                      ? tr("streamed from disk")
                                                      : tr("float16"));
    const quint64 generation = m_generation;
    const int id = m_jobs->start(
        title,
        [task, session, out, po, name, options, live](JobContext &ctx) {
            AnalysisContext ac;
            ac.task = task.get();
            ac.probe = po;
            ac.session = session.get();
            if (live) {
                // Per-batch loss and accuracy feed the live curve and the job's progress.
                ac.onBatch = ctx.trainCallback(0.0, 1.0);
                ac.progress = [&ctx](double, const QString &) { return !ctx.cancelled(); };
            } else {
                ac.progress = [&ctx](double f, const QString &stage) {
                    return ctx.report(f, stage);
                };
            }
            *out = salient::runAnalysis(name, options, ac);
            return toJobStatus(out->status);
        },
        [this, out, po, name, options, generation](JobStatus status, const QString &) {
            if (status != JobStatus::Ok || !out->result)
                return;
            if (generation != m_generation) {
                Q_EMIT errorOccurred(tr("The %1 result was discarded: other data were loaded "
                                        "while it ran.")
                                         .arg(name));
                return;
            }
            applyResult(name, po, out->result, options);
        });
    if (live)
        Q_EMIT trainingStarted(id, po);
    return id;
}

void SessionController::invalidate(const QString &name, const QString &why)
{
    if (!m_results.erase(name) && !m_session.results.contains(name))
        return;
    m_session.results.remove(name);
    m_session.analyses.removeAll(name);
    m_session.analysisOptions.remove(name);
    m_session.analysisProbeOptions.erase(name);
    const QString prefix = name + QLatin1Char('/');
    for (auto it = m_session.arrays.begin(); it != m_session.arrays.end();)
        it = it->first.startsWith(prefix) ? m_session.arrays.erase(it) : std::next(it);
    Q_EMIT resultInvalidated(name, why);
    const auto dep = dependents().find(name);
    if (dep != dependents().end())
        for (const QString &d : dep->second)
            if (m_results.count(d))
                invalidate(d, tr("It used the %1 result, which is no longer shown.").arg(name));
}

void SessionController::applyResult(const QString &name, const ProbeOptions &po,
                                    std::shared_ptr<const AnalysisResult> result,
                                    const QJsonObject &options)
{
    const bool grid = name == QLatin1String("grid-search");
    // Results computed with other probe options than this one are no longer shown with it.
    QStringList stale;
    for (const auto &[other, r] : m_results) {
        if (other == name)
            continue;
        const bool ignoreLambda = grid || other == QLatin1String("grid-search");
        if (!compatibleProbeOptions(m_session.probeOptionsFor(other), po, ignoreLambda))
            stale << other;
    }
    for (const QString &other : stale)
        invalidate(other,
                   tr("It was computed with other probe options (%1) than the new %2 "
                      "result (%3); run it again.")
                       .arg(lambdaText(m_session.probeOptionsFor(other)), name, lambdaText(po)));
    // A replaced result invalidates what was derived from the old one.
    if (m_results.count(name)) {
        const auto dep = dependents().find(name);
        if (dep != dependents().end())
            for (const QString &d : dep->second)
                if (m_results.count(d))
                    invalidate(d, tr("It used the previous %1 result.").arg(name));
    }
    m_results[name] = result;
    if (!m_session.analyses.contains(name))
        m_session.analyses << name;
    m_session.analysisOptions[name] = options;
    m_session.analysisProbeOptions[name] = po;
    if (!grid)
        m_session.probeOptions = po;
    m_session.results[name] = toJson(*result);
    for (auto &[key, array] : resultArrays(*result))
        m_session.arrays[key] = array;
    Q_EMIT resultChanged(name);
    if (name == QLatin1String("probe")) {
        const auto *p = std::get_if<ProbeReport>(result.get());
        selectColumn(p && !p->ordering.empty() ? p->ordering.front() : -1, true);
    }
}

void SessionController::selectColumn(int column, bool force)
{
    if (!m_layout.isColumn(column))
        column = -1;
    if (column == m_selected && !force)
        return;
    m_selected = column;
    Q_EMIT neuronSelected(column);
}

bool SessionController::setNote(NeuronNote note)
{
    if (!note.neuron.isValid()) {
        Q_EMIT errorOccurred(tr("A note needs a neuron: select one first."));
        return false;
    }
    note.modified = QDateTime::currentDateTimeUtc().toString(Qt::ISODate);
    m_session.notes.set(std::move(note));
    Q_EMIT notesChanged();
    return true;
}

bool SessionController::removeNote(NeuronId id)
{
    if (!m_session.notes.remove(id))
        return false;
    Q_EMIT notesChanged();
    return true;
}

} // namespace salient::ui
