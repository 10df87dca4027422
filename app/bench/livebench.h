#pragma once
#include <QJsonObject>
#include <QString>

/// salient-bench --live (livebench.cpp): per-sentence latency of the "Try a sentence" computation
/// (core's LiveEngine::compute: forward, alignment, aggregation, a 44-class probe) for a 30-word
/// sentence on stories260K and on a BERT-base-shaped random model. Needs @p sharedDir (the
/// stories260K files, the golden tiny-bert tokenizer). Logs on stderr; returns the figures.
QJsonObject runLiveBench(const QString &sharedDir, int repeats);
