#pragma once
#include <QJsonObject>
#include <QString>

/// salient-bench --extract (extractbench.cpp): forward throughput of random models of real
/// shapes (@p sentences × @p sentenceTokens tokens), and stories260K end to end when
/// @p sharedDir has it. Logs on stderr; returns the figures.
QJsonObject runExtractBench(int sentenceTokens, int sentences, const QString &sharedDir);
