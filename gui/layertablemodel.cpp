#include "layertablemodel.h"

#include "document.h"
#include "util/format.h"

#include <QBrush>
#include <QFont>
#include <QPalette>

QString humanCount(double value)
{
    return QString::fromStdString(gkp::humanCount(value));
}

namespace {
QString dims(const gkp::Shape &s, QChar sep = u'x')
{
    QStringList parts;
    for (int64_t d : s)
        parts << QString::number(d);
    return parts.join(sep);
}
} // namespace

LayerTableModel::LayerTableModel(Document *document, QObject *parent)
    : QAbstractTableModel(parent), m_document(document)
{
    connect(document, &Document::modelChanged, this, [this] {
        beginResetModel();
        endResetModel();
    });
    auto planColumnsChanged = [this] {
        if (rowCount() > 0)
            Q_EMIT dataChanged(index(0, Ratio), index(rowCount() - 1, MacsAfter));
    };
    connect(document, &Document::planChanged, this, planColumnsChanged);
    connect(document, &Document::settingsChanged, this, planColumnsChanged);
}

int LayerTableModel::rowCount(const QModelIndex &parent) const
{
    if (parent.isValid() || !m_document->model())
        return 0;
    return int(m_document->model()->inventory().layers.size());
}

int LayerTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

Qt::ItemFlags LayerTableModel::flags(const QModelIndex &index) const
{
    Qt::ItemFlags f = QAbstractTableModel::flags(index);
    if (index.isValid() && (index.column() == Ratio || index.column() == Groups) && m_document->model() &&
        m_document->model()->inventory().layers.at(std::size_t(index.row())).prunable)
        f |= Qt::ItemIsEditable;
    return f;
}

QList<int> LayerTableModel::feasibleGroups(int layer) const
{
    QList<int> gs{0};
    if (!m_document->model())
        return gs;
    const int64_t cout = m_document->model()->inventory().layers.at(std::size_t(layer)).out_channels;
    for (int64_t g = 1; g <= cout; ++g)
        if (cout % g == 0)
            gs << int(g);
    return gs;
}

QVariant LayerTableModel::planData(int layer, int column, int role) const
{
    const gkp::LayerPlan *p = m_document->layerPlan(layer);
    const gkp::ConvLayer &l = m_document->model()->inventory().layers.at(std::size_t(layer));
    if (!p) {
        if (const gkp::LeftDense *dense = m_document->plan().findLeftDense(l.name)) {
            if (role == Qt::DisplayRole && column == Ratio)
                return tr("left dense");
            if (role == Qt::ToolTipRole)
                return tr("Latency-aware planning left this layer dense: its fastest pruned form took %1 ms, the dense "
                          "convolution %2 ms. The MACs target is met by the other layers.")
                    .arg(dense->pruned_ms, 0, 'f', 3)
                    .arg(dense->dense_ms, 0, 'f', 3);
        }
        if (role == Qt::DisplayRole && column == Ratio)
            return l.prunable ? tr("not pruned") : QString();
        if (role == Qt::EditRole && column == Ratio)
            return m_document->settings().ratio;
        if (role == Qt::EditRole && column == Groups)
            return m_document->settings().groups;
        return {};
    }
    const bool auto_ = p->requested_groups == 0;
    if (role == Qt::EditRole) {
        if (column == Ratio)
            return p->ratio;
        if (column == Groups)
            return p->requested_groups;
    }
    if (role == SortRole) {
        switch (column) {
        case Ratio: return p->ratio;
        case Groups: return p->groups;
        case Kept: return double(p->kept_per_group) / double(l.in_channels);
        case Energy: return p->retained_energy;
        case MacsAfter: return qlonglong(p->macs_after);
        }
    }
    if (role == Qt::DisplayRole) {
        switch (column) {
        case Ratio: return QString::number(p->ratio * 100.0, 'f', 1) + u'%';
        case Groups: return auto_ ? tr("%1 (auto)").arg(p->groups) : QString::number(p->groups);
        case Kept:
            return tr("%1/%2 (%3%)")
                .arg(p->kept_per_group)
                .arg(l.in_channels)
                .arg(100.0 * p->kept_per_group / double(l.in_channels), 0, 'f', 0);
        case Energy: return QString::number(p->retained_energy * 100.0, 'f', 1) + u'%';
        case MacsAfter: return humanCount(double(p->macs_after));
        }
    }
    if (role == Qt::ToolTipRole && !p->note.empty())
        return QString::fromStdString(p->note);
    if (role == Qt::FontRole && m_document->settings().overrides.count(l.name) && (column == Ratio || column == Groups)) {
        QFont f;
        f.setBold(true); // this layer overrides the global setting
        return f;
    }
    return {};
}

QVariant LayerTableModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || !m_document->model())
        return {};
    const gkp::ConvLayer &l = m_document->model()->inventory().layers.at(std::size_t(index.row()));
    if (role == LayerRole)
        return l.index;
    if (index.column() >= Ratio)
        return planData(l.index, index.column(), role);
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case Index: return l.index;
        case Name: return QString::fromStdString(l.name);
        case Type: return QString::fromStdString(gkp::toString(l.kind));
        case Shape:
            return tr("%1→%2, %3").arg(l.in_channels).arg(l.out_channels).arg(dims(l.kernel)) +
                   (l.groups > 1 ? tr(", g=%1").arg(l.groups) : QString()) +
                   (l.stride != gkp::Shape(l.stride.size(), 1) ? tr(", s=%1").arg(dims(l.stride)) : QString());
        case Params: return humanCount(double(l.params));
        case Macs: return humanCount(double(l.macs));
        case Prunable:
            if (!l.prunable)
                return tr("no: %1").arg(QString::fromStdString(l.reason));
            return l.excluded_by_default ? tr("yes (stem, excluded)") : tr("yes");
        }
    } else if (role == SortRole) {
        switch (index.column()) {
        case Params: return qlonglong(l.params);
        case Macs: return qlonglong(l.macs);
        case Index: return l.index;
        default: return data(index, Qt::DisplayRole);
        }
    } else if (role == Qt::TextAlignmentRole) {
        if (index.column() == Index || index.column() == Params || index.column() == Macs)
            return int(Qt::AlignRight | Qt::AlignVCenter);
    } else if (role == Qt::ForegroundRole && !l.prunable) {
        return QPalette().brush(QPalette::Disabled, QPalette::Text);
    } else if (role == Qt::ToolTipRole) {
        return tr("%1\ninput %2 → output %3\n%4 parameters, %5 MACs per image")
            .arg(QString::fromStdString(l.name), dims(l.input_shape), dims(l.output_shape))
            .arg(l.params)
            .arg(l.macs);
    }
    return {};
}

bool LayerTableModel::setData(const QModelIndex &index, const QVariant &value, int role)
{
    if (role != Qt::EditRole || !(flags(index) & Qt::ItemIsEditable))
        return false;
    const gkp::ConvLayer &l = m_document->model()->inventory().layers.at(std::size_t(index.row()));
    gkp::LayerOverride o;
    if (auto it = m_document->settings().overrides.find(l.name); it != m_document->settings().overrides.end())
        o = it->second;
    o.off = false;
    o.include = true;
    if (index.column() == Ratio) {
        bool ok = false;
        const double r = value.toDouble(&ok);
        if (!ok || r < 0.0 || r >= 1.0)
            return false;
        o.ratio = r;
        m_document->setLayerOverride(l.index, o, tr("Ratio of %1").arg(QString::fromStdString(l.name)));
    } else {
        bool ok = false;
        const int g = value.toInt(&ok);
        if (!ok || !feasibleGroups(l.index).contains(g))
            return false;
        o.groups = g;
        m_document->setLayerOverride(l.index, o, tr("Groups of %1").arg(QString::fromStdString(l.name)));
    }
    return true;
}

QVariant LayerTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case Ratio: return tr("Fraction of grouped kernels pruned in every group (double-click to edit)");
        case Groups: return tr("Filter groups G (double-click to edit; auto = flexible group count)");
        case Kept: return tr("Input channels kept per group, m of Cin");
        case Energy: return tr("Retained weight energy ||W·mask||² / ||W||²");
        }
        return {};
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Index: return tr("#");
    case Name: return tr("Layer");
    case Type: return tr("Type");
    case Shape: return tr("Shape");
    case Params: return tr("Params");
    case Macs: return tr("MACs");
    case Prunable: return tr("Prunable");
    case Ratio: return tr("Ratio");
    case Groups: return tr("G");
    case Kept: return tr("Kept");
    case Energy: return tr("Energy");
    case MacsAfter: return tr("MACs after");
    }
    return {};
}
