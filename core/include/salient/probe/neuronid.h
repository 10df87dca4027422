#pragma once
// One name per neuron index space. Three spaces exist:
// - NeuronId: the model's neuron (file layer id, unit in that layer) — what users see;
// - column: a position in the loaded matrix (0..columns()−1; only the loaded layers, in order) —
//   what the probe and every analysis compute in;
// - flat index: NeuroX's layer·dims + unit of the activation file — what JSON/CSV files store
//   for compatibility.
// NeuronLayout is the only place where they are converted.
#include <QString>
#include <compare>
#include <vector>

namespace salient {

struct Dataset;

/// The model's neuron: layer id as in the activation file (NeuroX: 0 = embeddings) and unit in
/// that layer.
struct NeuronId {
    int layer = -1;
    int unit = -1;
    bool isValid() const { return layer >= 0 && unit >= 0; }
    friend bool operator==(const NeuronId &, const NeuronId &) = default;
    friend auto operator<=>(const NeuronId &, const NeuronId &) = default;
};

/**
 * Which neurons the loaded matrix holds. Column c (a position in the loaded matrix,
 * 0..columns()−1) is NeuronId{layerIds[c / dims], c % dims}. The only place where columns,
 * NeuronIds and NeuroX's flat file index (layer·dims + unit, used in JSON/CSV files for
 * compatibility) are converted. A value type; all functions are pure and never throw.
 */
struct NeuronLayout {
    std::vector<int> layerIds; ///< file layer id of each loaded layer block, in column order
    int dims = 0;              ///< units per layer
    /// The layout of a loaded split (Dataset::layerIds, Dataset::dims).
    static NeuronLayout of(const Dataset &ds);
    /// layerIds.size() · dims.
    int columns() const;
    bool isColumn(int column) const;
    /// {} (invalid) for an out-of-range column.
    NeuronId neuron(int column) const;
    /// −1 when the layer is not loaded or the unit is out of range.
    int column(NeuronId id) const;
    /// NeuroX flat index layer·dims + unit; −1 for an invalid column.
    int flatIndex(int column) const;
    /// The column of a flat index; −1 when its layer is not loaded (or flat < 0).
    int columnOfFlatIndex(int flat) const;
    friend bool operator==(const NeuronLayout &, const NeuronLayout &) = default;
};

/// "layer 3 · unit 17"
QString neuronName(NeuronId id);

} // namespace salient
