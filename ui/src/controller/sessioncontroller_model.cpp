// SessionController, the attached model (docs/live.md): attach, reload with an opened session,
// clear on a data load. The work (loading, hashing, the layers × dims check) is core's
// (model/attach.h), run on the Interactive lane.
#include "salient/model/attach.h"
#include "salient/ui/controller/sessioncontroller.h"
#include "salient/ui/jobs/jobrunner.h"

#include <QFileInfo>

namespace salient::ui {

void SessionController::setUpModel()
{
    connect(this, &SessionController::dataLoaded, this, [this] {
        m_modelWarnings.clear();
        if (m_model) {
            m_model.reset();
            Q_EMIT modelAttached();
        }
    });
    // An opened session's model is reloaded (and its fingerprint checked) in the background.
    connect(this, &SessionController::sessionOpened, this, [this] {
        if (!m_session.model.isSet())
            return;
        const SessionModel record = m_session.model;
        auto loaded = std::make_shared<std::shared_ptr<const model::AttachedModel>>();
        const quint64 generation = m_generation;
        m_jobs->start(
            tr("Load model %1").arg(QFileInfo(record.path).fileName()),
            [loaded, record](JobContext &ctx) {
                ctx.report(0.1, QStringLiteral("checking the fingerprint and loading"));
                *loaded =
                    std::make_shared<const model::AttachedModel>(model::loadSessionModel(record));
                return JobStatus::Ok;
            },
            [this, loaded, generation](JobStatus status, const QString &message) {
                if (generation != m_generation)
                    return;
                if (status != JobStatus::Ok) {
                    if (status == JobStatus::Failed)
                        Q_EMIT errorOccurred(message);
                    return;
                }
                m_model = *loaded;
                Q_EMIT modelAttached();
            },
            JobRunner::Lane::Interactive);
    });
}

int SessionController::attachModel(const QString &modelPath, const QString &tokenizerPath)
{
    if (!m_task) {
        Q_EMIT errorOccurred(tr("Load data first: a model is attached to the session's "
                                "activation files."));
        return -1;
    }
    auto loaded = std::make_shared<model::AttachedModel>();
    const std::shared_ptr<const LoadedTask> task = m_task;
    const quint64 generation = m_generation;
    return m_jobs->start(
        tr("Attach model %1").arg(QFileInfo(modelPath).fileName()),
        [loaded, task, modelPath, tokenizerPath](JobContext &ctx) {
            ctx.report(0.1, QStringLiteral("loading and fingerprinting the checkpoint"));
            *loaded = model::attachModel(modelPath, tokenizerPath, &task->trainInfo);
            return JobStatus::Ok;
        },
        [this, loaded, generation](JobStatus status, const QString &) {
            if (status != JobStatus::Ok || generation != m_generation)
                return; // failures: the runner's finished() carries the message
            m_session.model = loaded->record;
            m_modelWarnings = loaded->warnings;
            m_model = std::make_shared<const model::AttachedModel>(std::move(*loaded));
            Q_EMIT modelAttached();
        },
        JobRunner::Lane::Interactive);
}

} // namespace salient::ui

namespace salient::ui {

void SessionController::useModel(std::shared_ptr<const model::AttachedModel> model)
{
    m_model = std::move(model);
    m_session.model = m_model ? m_model->record : SessionModel{};
    m_modelWarnings.clear();
    Q_EMIT modelAttached();
}

} // namespace salient::ui
