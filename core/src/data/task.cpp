#include "salient/data/task.h"

#include "salient/util/error.h"

#include <QElapsedTimer>
#include <cmath>

namespace salient {

QStringList LoadedTask::warnings() const
{
    QStringList out;
    for (const Dataset *d : splits())
        out << d->report.warnings;
    return out;
}

double LoadedTask::layerScaleRatio() const
{
    double lo = 0, hi = 0;
    for (double v : trainLayerScale) {
        if (!(v > 0) || !std::isfinite(v))
            continue;
        lo = lo > 0 ? std::min(lo, v) : v;
        hi = std::max(hi, v);
    }
    return lo > 0 ? hi / lo : 1.0;
}

QString LoadedTask::scaleWarning(bool standardized) const
{
    const double ratio = layerScaleRatio();
    if (standardized || !(ratio > kLayerScaleWarnRatio) || !train)
        return {};
    QStringList scales;
    for (size_t l = 0; l < trainLayerScale.size() && l < train->layerIds.size(); ++l)
        scales
            << QStringLiteral("%1: %2").arg(train->layerIds[l]).arg(trainLayerScale[l], 0, 'g', 3);
    return QStringLiteral("train activation scales differ %1× between layers (RMS of per-neuron "
                          "standard deviations, layer: scale — %2) and the probe does not "
                          "standardise: weight-magnitude rankings compare neurons across layers "
                          "on different scales (a high-variance neuron needs a smaller weight, "
                          "and L1 makes high-variance neurons cheaper to use). Standardise with "
                          "--standardize (GUI: the Run panel's Standardise neurons option)")
        .arg(ratio, 0, 'f', 1)
        .arg(scales.join(QStringLiteral(", ")));
}

QStringList LoadedTask::dataWarnings(bool standardized) const
{
    QStringList out = warnings();
    const QString scale = scaleWarning(standardized);
    if (!scale.isEmpty())
        out << scale;
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

namespace {

double keptValues(const StoreInfo &info, const DatasetOptions &options)
{
    const double layers =
        options.layers.empty() ? double(info.layers) : double(options.layers.size());
    return double(info.totalWords) * layers * double(info.dims);
}

StoragePlan planFor(const TaskInputs &inputs, double values)
{
    const quint64 budget = inputs.memoryBudget > 0 ? inputs.memoryBudget : defaultMemoryBudget();
    return planStorage(inputs.options.storage, values, budget);
}

} // namespace

StoragePlan planTaskStorage(const TaskInputs &inputs)
{
    double values = 0;
    for (const SplitPaths *paths : {&inputs.train, &inputs.dev, &inputs.test})
        if (paths->isSet())
            values += keptValues(ActivationStore::open(paths->activations)->info(), inputs.options);
    return planFor(inputs, values);
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
    // Open every store first (metadata only) to plan the storage of all splits together.
    std::shared_ptr<const ActivationStore> stores[3];
    double values = 0;
    for (int i = 0; i < 3; ++i) {
        const SplitPaths *paths = splits[i].second;
        if (!paths->isSet())
            continue;
        if (paths->tokens.isEmpty() || paths->labels.isEmpty())
            throw Error(QStringLiteral("the %1 split needs activations, tokens and labels files")
                            .arg(QLatin1String(splits[i].first)));
        stores[i] = ActivationStore::open(paths->activations);
        values += keptValues(stores[i]->info(), inputs.options);
    }
    task.storage = planFor(inputs, values);
    DatasetOptions options = inputs.options;
    options.storage = task.storage.mode;
    int index = 0;
    for (const auto &[name, paths] : splits) {
        const int stage = index++;
        if (!paths->isSet())
            continue;
        std::shared_ptr<const ActivationStore> store = stores[stage];
        if (stage == 0) {
            task.trainInfo = store->info();
        } else if (store->info().layers != task.trainInfo.layers
                   || store->info().dims != task.trainInfo.dims) {
            throw Error(QStringLiteral("%1: %2 layers × %3 dims, but the train file %4 has %5 × %6")
                            .arg(paths->activations)
                            .arg(store->info().layers)
                            .arg(store->info().dims)
                            .arg(task.trainInfo.path)
                            .arg(task.trainInfo.layers)
                            .arg(task.trainInfo.dims));
        }
        const TextColumns tokens = readTextColumns(paths->tokens);
        const TextColumns labels = readTextColumns(paths->labels);
        LoadProgress sub;
        if (progress)
            sub = [&](double f) { return progress((stage + f) / 3.0); };
        Dataset ds =
            buildDataset(QLatin1String(name), store, tokens, labels, options, task.vocab, sub);
        (stage == 0 ? task.train : stage == 1 ? task.dev : task.test) = std::move(ds);
    }
    task.trainLayerScale = layerScales(*task.train);
    task.loadSeconds = double(timer.nsecsElapsed()) * 1e-9;
    return task;
}

LoadedTask loadDemoTask(const DemoDataset &demo, const QString &property,
                        const DatasetOptions &options)
{
    if (property != QLatin1String("pos") && property != QLatin1String("suffix"))
        throw Error(
            QStringLiteral("demo: unknown property '%1' (expected pos or suffix)").arg(property));
    QElapsedTimer timer;
    timer.start();
    LoadedTask task;
    task.trainInfo = demo.train.store->info();
    if (options.storage != StorageMode::Float32 && options.storage != StorageMode::Auto)
        throw Error(QStringLiteral("demo: the built-in dataset is held in memory as float32 "
                                   "(storage '%1' is not available for it)")
                        .arg(storageModeName(options.storage)));
    DatasetOptions demoOptions = options;
    demoOptions.storage = StorageMode::Float32;
    double values = 0;
    for (const DemoSplit *s : {&demo.train, &demo.dev, &demo.test})
        values += double(s->store->info().totalWords) * double(s->store->info().neurons());
    task.storage = planStorage(StorageMode::Float32, values, defaultMemoryBudget());
    for (const QString &name :
         {QStringLiteral("train"), QStringLiteral("dev"), QStringLiteral("test")}) {
        const DemoSplit &s = demo.split(name);
        Dataset ds = buildDataset(name, *s.store, s.tokens,
                                  property == QLatin1String("pos") ? s.pos : s.suffix, demoOptions,
                                  task.vocab);
        (name == QLatin1String("train") ? task.train
         : name == QLatin1String("dev") ? task.dev
                                        : task.test) = std::move(ds);
    }
    task.trainLayerScale = layerScales(*task.train);
    task.loadSeconds = double(timer.nsecsElapsed()) * 1e-9;
    return task;
}

std::vector<int> parseIndexList(const QString &text, const QString &what)
{
    std::vector<int> out;
    if (text.trimmed().isEmpty())
        return out;
    for (const QString &part : text.split(QLatin1Char(','))) {
        const QStringList range = part.trimmed().split(QLatin1Char('-'));
        bool ok1 = false, ok2 = true;
        const int a = range.value(0).toInt(&ok1);
        const int b = range.size() == 2 ? range[1].toInt(&ok2) : a;
        if (!ok1 || !ok2 || range.size() > 2 || b < a || a < 0)
            throw Error(QStringLiteral("%1: '%2' is not a list like 0,2,5-7").arg(what, part));
        for (int x = a; x <= b; ++x)
            out.push_back(x);
    }
    return out;
}

} // namespace salient
