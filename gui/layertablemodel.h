#pragma once

#include <QAbstractTableModel>

class Document;

// Every convolution of the document's model: one row per layer, in execution order.
class LayerTableModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { Index, Name, Type, Shape, Output, Params, Macs, Prunable, ColumnCount };
    static constexpr int SortRole = Qt::UserRole + 1;

    explicit LayerTableModel(Document *document, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    Document *m_document;
};

QString humanCount(double value);
