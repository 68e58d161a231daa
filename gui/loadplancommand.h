#pragma once

#include "engine/plan.h"

#include <QUndoCommand>

class Document;

// Replaces settings and plan with a loaded plan file; undo restores the previous ones.
class LoadPlanCommand : public QUndoCommand
{
public:
    LoadPlanCommand(Document *document, gkp::PlanSettings oldSettings, gkp::Plan oldPlan, gkp::Plan newPlan,
                    const QString &text);

    void undo() override;
    void redo() override;

private:
    Document *m_document;
    gkp::PlanSettings m_oldSettings;
    gkp::Plan m_oldPlan, m_newPlan;
};
