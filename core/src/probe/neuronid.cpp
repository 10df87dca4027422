#include "salient/probe/neuronid.h"

#include "salient/data/corpus.h"

namespace salient {

NeuronLayout NeuronLayout::of(const Dataset &ds)
{
    return NeuronLayout{ds.layerIds, ds.dims};
}

int NeuronLayout::columns() const
{
    return int(layerIds.size()) * std::max(dims, 0);
}

bool NeuronLayout::isColumn(int column) const
{
    return column >= 0 && column < columns();
}

NeuronId NeuronLayout::neuron(int column) const
{
    if (!isColumn(column))
        return {};
    return {layerIds[size_t(column / dims)], column % dims};
}

int NeuronLayout::column(NeuronId id) const
{
    if (!id.isValid() || id.unit >= dims)
        return -1;
    for (size_t k = 0; k < layerIds.size(); ++k)
        if (layerIds[k] == id.layer)
            return int(k) * dims + id.unit;
    return -1;
}

int NeuronLayout::flatIndex(int column) const
{
    const NeuronId id = neuron(column);
    return id.isValid() ? id.layer * dims + id.unit : -1;
}

int NeuronLayout::columnOfFlatIndex(int flat) const
{
    if (flat < 0 || dims <= 0)
        return -1;
    return column(NeuronId{flat / dims, flat % dims});
}

QString neuronName(NeuronId id)
{
    return QStringLiteral("layer %1 · unit %2").arg(id.layer).arg(id.unit);
}

} // namespace salient
