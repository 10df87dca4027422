#pragma once
// Saving and loading probe weights as HDF5 (W, b, label names, columns, standardisation, options
// as JSON). Loading also accepts weights dumped from NeuroX (datasets W, b and a label list) so
// rankings can be compared on identical weights (spec/NEUROX.md §17.4).
#include "salient/probe/probe.h"

namespace salient {

/// Writes atomically (temporary file + rename). @p optionsJson: free-form JSON text kept as an
/// attribute. Throws salient::Error naming the path.
void saveProbe(const QString &path, const Probe &probe, const QByteArray &optionsJson = {});
/// Reads a probe written by saveProbe (or W/b/labels from NeuroX). Throws salient::Error.
Probe loadProbe(const QString &path);

} // namespace salient
