#include "salient/task.h"

#include "salient/error.h"

#include <QElapsedTimer>

namespace salient {

QStringList LoadedTask::warnings() const
{
    QStringList out;
    for (const Dataset *d : splits())
        out << d->report.warnings;
    return out;
}

std::vector<const Dataset *> LoadedTask::splits() const
{
    std::vector<const Dataset *> out;
    for (const auto *d : {&train, &dev, &test})
        if (d->has_value())
            out.push_back(&d->value());
    return out;
}

LoadedTask loadTask(const TaskInputs &inputs, const LoadProgress &progress)
{
    if (!inputs.train.isSet() || inputs.train.tokens.isEmpty() || inputs.train.labels.isEmpty())
        throw Error(QStringLiteral("the train split needs activations, tokens and labels files"));
    QElapsedTimer timer;
    timer.start();
    LoadedTask task;
    const std::pair<const char *, const SplitPaths *> splits[] = {
        {"train", &inputs.train}, {"dev", &inputs.dev}, {"test", &inputs.test}};
    int index = 0;
    for (const auto &[name, paths] : splits) {
        const int stage = index++;
        if (!paths->isSet())
            continue;
        if (paths->tokens.isEmpty() || paths->labels.isEmpty())
            throw Error(QStringLiteral("the %1 split needs activations, tokens and labels files")
                            .arg(QLatin1String(name)));
        auto store = ActivationStore::open(paths->activations);
        if (stage == 0) {
            task.trainInfo = store->info();
        } else if (store->info().layers != task.trainInfo.layers ||
                   store->info().dims != task.trainInfo.dims) {
            throw Error(QStringLiteral("%1: %2 layers × %3 dims, but the train file %4 has %5 × %6")
                            .arg(paths->activations).arg(store->info().layers).arg(store->info().dims)
                            .arg(task.trainInfo.path).arg(task.trainInfo.layers).arg(task.trainInfo.dims));
        }
        const TextColumns tokens = readTextColumns(paths->tokens);
        const TextColumns labels = readTextColumns(paths->labels);
        LoadProgress sub;
        if (progress)
            sub = [&](double f) { return progress((stage + f) / 3.0); };
        Dataset ds = buildDataset(QLatin1String(name), *store, tokens, labels, inputs.options,
                                  task.vocab, sub);
        (stage == 0 ? task.train : stage == 1 ? task.dev : task.test) = std::move(ds);
    }
    task.loadSeconds = double(timer.nsecsElapsed()) * 1e-9;
    return task;
}

LoadedTask loadDemoTask(const DemoDataset &demo, const QString &property, const DatasetOptions &options)
{
    if (property != QLatin1String("pos") && property != QLatin1String("suffix"))
        throw Error(QStringLiteral("demo: unknown property '%1' (expected pos or suffix)").arg(property));
    QElapsedTimer timer;
    timer.start();
    LoadedTask task;
    task.trainInfo = demo.train.store->info();
    for (const QString &name : {QStringLiteral("train"), QStringLiteral("dev"), QStringLiteral("test")}) {
        const DemoSplit &s = demo.split(name);
        Dataset ds = buildDataset(name, *s.store, s.tokens,
                                  property == QLatin1String("pos") ? s.pos : s.suffix, options, task.vocab);
        (name == QLatin1String("train") ? task.train : name == QLatin1String("dev") ? task.dev : task.test) =
            std::move(ds);
    }
    task.loadSeconds = double(timer.nsecsElapsed()) * 1e-9;
    return task;
}

} // namespace salient
