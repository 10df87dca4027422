#pragma once
// Private to core/src/model: what extraction (extract.cpp) shares with the re-extraction under an
// intervention (intervention.cpp). Not installed; core only.
#include "salient/model/transformer.h"

#include <vector>

namespace salient::model::detail {

/// The stack indices to extract: @p requested (ExtractOptions::layers), or all of 0..layers when
/// it is empty. Throws salient::Error naming the layer and the model when one is outside
/// 0 (embeddings)..info.layers.
std::vector<int> resolveLayers(const std::vector<int> &requested, const ModelInfo &info);

} // namespace salient::model::detail
