#pragma once
// What a set of dropped (or command-line) files is: a session, activation and token/label files
// of the train/dev/test splits (guessed from their names), or files Salient does not read.
#include "salient/data/task.h"

#include <QStringList>

namespace salient::ui {

struct DroppedFiles {
    QString session;     ///< the first Salient session among the files ("" = none)
    TaskInputs inputs;   ///< activation / token / label files by split (from names)
    QStringList used;    ///< file names placed in @c inputs
    QStringList unknown; ///< file names that are none of the above
    bool anyData = false;
};

/**
 * Classifies @p paths: a .json whose "format" is "salient-session" is a session; .hdf5/.h5/
 * .json/.jsonl are activations; .txt/.tsv/.conll (or no suffix) are tokens, or labels when the
 * name contains "label" or "tag"; the split is dev for names with "dev"/"valid", test for
 * "test", train otherwise. Reads at most the head of each .json. Any thread.
 */
DroppedFiles classifyDroppedFiles(const QStringList &paths);

} // namespace salient::ui
