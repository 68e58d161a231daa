#include "changesettingscommand.h"

#include "document.h"

ChangeSettingsCommand::ChangeSettingsCommand(Document *document, gkp::PlanSettings before, gkp::PlanSettings after,
                                             const QString &text, int mergeId)
    : QUndoCommand(text), m_document(document), m_before(std::move(before)), m_after(std::move(after)),
      m_mergeId(mergeId)
{
}

void ChangeSettingsCommand::undo()
{
    m_document->applySettings(m_before);
}

void ChangeSettingsCommand::redo()
{
    m_document->applySettings(m_after);
}

bool ChangeSettingsCommand::mergeWith(const QUndoCommand *other)
{
    // Consecutive edits of the same control (a slider drag) become one undo step.
    if (other->id() != id() || id() < 0)
        return false;
    m_after = static_cast<const ChangeSettingsCommand *>(other)->m_after;
    return true;
}
