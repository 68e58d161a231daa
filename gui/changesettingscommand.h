#pragma once

#include "engine/plan.h"

#include <QUndoCommand>

class Document;

// Any edit of the pruning settings (global ratio, method, per-layer override...). Symmetric:
// the plan is a deterministic function of the settings, so undo restores the previous plan.
class ChangeSettingsCommand : public QUndoCommand
{
public:
    ChangeSettingsCommand(Document *document, gkp::PlanSettings before, gkp::PlanSettings after, const QString &text,
                          int mergeId = -1);

    void undo() override;
    void redo() override;
    int id() const override { return m_mergeId; }
    bool mergeWith(const QUndoCommand *other) override;

private:
    Document *m_document;
    gkp::PlanSettings m_before, m_after;
    int m_mergeId;
};
