#pragma once
// Matrix types shared by core/. The feature matrix X is row-major (tokens × neurons) so that one
// sentence, one mini-batch or one token is a contiguous block; columns are flat neuron indices
// layer·dims + d (spec/NEUROX.md §0.3).
#include <Eigen/Core>
#include <cstdint>
#include <vector>

namespace salient {

using RowMatrixF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MatrixF = Eigen::MatrixXf;
using VectorF = Eigen::VectorXf;
using VectorI = Eigen::VectorXi;
using Index = Eigen::Index;
/// A list of flat neuron indices (columns of X). Empty means "all neurons" where documented.
using NeuronList = std::vector<int>;

} // namespace salient
