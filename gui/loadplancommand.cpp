#include "loadplancommand.h"

#include "document.h"

LoadPlanCommand::LoadPlanCommand(Document *document, gkp::PlanSettings oldSettings, gkp::Plan oldPlan,
                                 gkp::Plan newPlan, const QString &text)
    : QUndoCommand(text), m_document(document), m_oldSettings(std::move(oldSettings)), m_oldPlan(std::move(oldPlan)),
      m_newPlan(std::move(newPlan))
{
}

void LoadPlanCommand::undo()
{
    m_document->applyPlan(m_oldSettings, m_oldPlan);
}

void LoadPlanCommand::redo()
{
    m_document->applyPlan(m_newPlan.settings, m_newPlan);
}
