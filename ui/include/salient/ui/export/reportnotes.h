#pragma once
// The report's neuron notes (issue 12 item 8), kept apart from the figure export.
#include "salient/session/notes.h"

#include <QString>
#include <QStringList>

namespace salient::ui {

/**
 * Writes @p notes as tables/notes.csv (core's notesToCsv) and tables/notes.json (notesToJson)
 * under report folder @p dir (atomically each), and appends their relative paths to @p written.
 * Writes nothing when there are no notes. False with a message naming the file in @p error.
 * Any thread.
 */
bool writeNotesTables(const NeuronNotes &notes, const QString &dir, QStringList *written,
                      QString *error);

} // namespace salient::ui
