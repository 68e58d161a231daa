#pragma once

#include <QAbstractTableModel>

class Document;

// Every convolution of the document's model, one row per layer in execution order, with the
// plan's numbers for pruned layers. Ratio and G are editable: an edit becomes an undoable
// per-layer override in the Document.
class LayerTableModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { Index, Name, Type, Shape, Params, Macs, Prunable, Ratio, Groups, Kept, Energy, MacsAfter, ColumnCount };
    static constexpr int SortRole = Qt::UserRole + 1;
    static constexpr int LayerRole = Qt::UserRole + 2; // inventory index of the row

    explicit LayerTableModel(Document *document, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    bool setData(const QModelIndex &index, const QVariant &value, int role = Qt::EditRole) override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // Feasible group counts of a layer for the G editor: divisors of Cout (0 stands for auto).
    QList<int> feasibleGroups(int layer) const;

private:
    QVariant planData(int layer, int column, int role) const;
    Document *m_document;
};

QString humanCount(double value);
