<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AnalysisWindow</name>
    <message>
        <source>Grouped kernel (GKP)</source>
        <translation>分组卷积核（GKP）</translation>
    </message>
    <message>
        <source>Filter (L1)</source>
        <translation>滤波器（L1）</translation>
    </message>
    <message>
        <source>Kernel (L1, sparse)</source>
        <translation>卷积核（L1，稀疏）</translation>
    </message>
    <message>
        <source>Weight (|w|, sparse)</source>
        <translation>权重（|w|，稀疏）</translation>
    </message>
    <message>
        <source>GKP ratios by the sensitivity measured on the first tab</source>
        <translation>GKP 比例按第一个标签页测得的敏感度分配</translation>
    </message>
    <message>
        <source>pruning ratio of the layer</source>
        <translation>该层的剪枝比例</translation>
    </message>
    <message>
        <source>top-1 drop (points)</source>
        <translation>top-1 准确率下降（百分点）</translation>
    </message>
    <message>
        <source>conv-MACs reduction (%)</source>
        <translation>卷积 MACs 削减（%）</translation>
    </message>
    <message>
        <source>top-1 (%)</source>
        <translation>top-1 准确率（%）</translation>
    </message>
    <message>
        <source>Measure</source>
        <translation>测量</translation>
    </message>
    <message>
        <source>Compare</source>
        <translation>比较</translation>
    </message>
    <message>
        <source>Use for MACs-Target Allocation</source>
        <translation>用于 MACs 目标的分配</translation>
    </message>
    <message>
        <source>Save…</source>
        <translation>保存…</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Sensitivity and Granularity Comparison</source>
        <translation>敏感度与粒度比较</translation>
    </message>
    <message>
        <source>Dataset…</source>
        <translation>数据集…</translation>
    </message>
    <message>
        <source>Data:</source>
        <translation>数据：</translation>
    </message>
    <message>
        <source>Ratios</source>
        <translation>比例</translation>
    </message>
    <message>
        <source>MACs reductions</source>
        <translation>MACs 削减</translation>
    </message>
    <message>
        <source>Layer Sensitivity</source>
        <translation>层敏感度</translation>
    </message>
    <message>
        <source>Granularity Comparison</source>
        <translation>粒度比较</translation>
    </message>
    <message>
        <source>Ratios: %1</source>
        <translation>比例：%1</translation>
    </message>
    <message>
        <source>Measuring layer sensitivity on %1…</source>
        <translation>正在 %1 上测量层敏感度…</translation>
    </message>
    <message>
        <source>MACs reductions: %1</source>
        <translation>MACs 削减：%1</translation>
    </message>
    <message>
        <source>Comparing granularities on %1…</source>
        <translation>正在 %1 上比较剪枝粒度…</translation>
    </message>
    <message>
        <source>every pruned variant evaluated after BatchNorm recalibration on %1 training images</source>
        <translation>每个剪枝变体均在 %1 张训练图像上重新校准 BatchNorm 后评估</translation>
    </message>
    <message>
        <source>BatchNorm statistics as stored (no recalibration)</source>
        <translation>BatchNorm 统计量保持存储值（未重新校准）</translation>
    </message>
    <message>
        <source>Cancelled.</source>
        <translation>已取消。</translation>
    </message>
    <message>
        <source>&lt;span style=&apos;color:#b00&apos;&gt;Failed: %1&lt;/span&gt;</source>
        <translation>&lt;span style=&apos;color:#b00&apos;&gt;失败：%1&lt;/span&gt;</translation>
    </message>
    <message>
        <source>Unpruned top-1 %1 % on %2 images; %3.</source>
        <translation>未剪枝 top-1 准确率 %1%（%2 张图像）；%3。</translation>
    </message>
    <message>
        <source>Unpruned top-1 %1 % on %2 images; %3. MACs of kernel and weight pruning are sparse MACs (nonzero weights).</source>
        <translation>未剪枝 top-1 准确率 %1%（%2 张图像）；%3。卷积核剪枝和权重剪枝的 MACs 为稀疏 MACs（仅计非零权重）。</translation>
    </message>
    <message>
        <source>dashed: unpruned %1 %</source>
        <translation>虚线：未剪枝 %1%</translation>
    </message>
    <message>
        <source>Sensitivity-Aware Allocation</source>
        <translation>基于敏感度的分配</translation>
    </message>
    <message>
        <source>The MACs target is now spread by sensitivity: less sensitive layers are pruned more.</source>
        <translation>MACs 目标现已按敏感度分配：敏感度越低的层剪枝越多。</translation>
    </message>
    <message>
        <source>Save Results</source>
        <translation>保存结果</translation>
    </message>
    <message>
        <source>JSON (*.json);;CSV (*.csv)</source>
        <translation>JSON (*.json);;CSV (*.csv)</translation>
    </message>
    <message>
        <source>Saved %1.</source>
        <translation>已保存 %1。</translation>
    </message>
    <message>
        <source>&lt;span style=&apos;color:#b00&apos;&gt;%1&lt;/span&gt;</source>
        <translation>&lt;span style=&apos;color:#b00&apos;&gt;%1&lt;/span&gt;</translation>
    </message>
    <message>
        <source>Channel (coupled, group norm)</source>
        <translation>通道（耦合，组范数）</translation>
    </message>
    <message>
        <source>Channel (coupled, internal only)</source>
        <translation>通道（耦合，仅内部）</translation>
    </message>
    <message>
        <source>GKP with G = 1</source>
        <translation>GKP，G = 1</translation>
    </message>
    <message>
        <source>Top-1 on the data (else retained kernel energy)</source>
        <translation>数据上的 Top-1（否则为保留的卷积核能量）</translation>
    </message>
    <message>
        <source>model&apos;s</source>
        <translation>模型的</translation>
    </message>
    <message>
        <source>Batch the files are exported for and timed at</source>
        <translation>导出与计时所用的批大小</translation>
    </message>
    <message>
        <source>G</source>
        <translation>G</translation>
    </message>
    <message>
        <source>MACs targets</source>
        <translation>MACs 目标</translation>
    </message>
    <message>
        <source>Batch</source>
        <translation>批大小</translation>
    </message>
    <message>
        <source>Click a point to use its plan.</source>
        <translation>点击一个点以使用其方案。</translation>
    </message>
    <message>
        <source>Accuracy–Latency Frontier</source>
        <translation>精度–延迟前沿</translation>
    </message>
    <message>
        <source>Frontier: %1</source>
        <translation>前沿：%1</translation>
    </message>
    <message>
        <source>Frontier: no temporary folder for the points&apos; plans</source>
        <translation>前沿：没有存放各点方案的临时文件夹</translation>
    </message>
    <message>
        <source>Measuring the accuracy-latency frontier on %1…</source>
        <translation>正在 %1 上测量精度–延迟前沿…</translation>
    </message>
    <message>
        <source>Measuring the energy-latency frontier…</source>
        <translation>正在测量能量–延迟前沿…</translation>
    </message>
    <message>
        <source>retained kernel energy (%)</source>
        <translation>保留的卷积核能量（%）</translation>
    </message>
    <message>
        <source>G auto (latency-aware)</source>
        <translation>G 自动（延迟感知）</translation>
    </message>
    <message>
        <source>G = %1</source>
        <translation>G = %1</translation>
    </message>
    <message>
        <source>Pareto frontier</source>
        <translation>帕累托前沿</translation>
    </message>
    <message>
        <source>original %1 ms</source>
        <translation>原模型 %1 毫秒</translation>
    </message>
    <message>
        <source>time of the exported file / the original&apos;s, same runs</source>
        <translation>导出文件的时间 / 原模型的时间（同一组运行）</translation>
    </message>
    <message>
        <source>channel pruning (coupled, %1)</source>
        <translation>通道剪枝（耦合，%1）</translation>
    </message>
    <message>
        <source>channel pruning (coupled, %1, internal only)</source>
        <translation>通道剪枝（耦合，%1，仅内部通道）</translation>
    </message>
    <message>
        <source>No GKP point with G &gt; 1 in most of its layers to set against a channel-pruning point at equal speed.</source>
        <translation>没有大多数层 G &gt; 1 的 GKP 点可在相同速度下与通道剪枝点比较。</translation>
    </message>
    <message>
        <source>%1 at %2 % leads the channel-pruning points it is at most 1.10x slower than by %3 points at least (closest: %4 at %5 %).</source>
        <translation>%1（目标 %2 %）至少领先其最多慢 1.10 倍的通道剪枝点 %3 个百分点（最接近的：%4，目标 %5 %）。</translation>
    </message>
    <message>
        <source>GKP beats channel pruning at equal speed: </source>
        <translation>相同速度下 GKP 胜过通道剪枝：</translation>
    </message>
    <message>
        <source>GKP does not beat channel pruning by 3 points at equal speed: </source>
        <translation>相同速度下 GKP 未以 3 个百分点胜过通道剪枝：</translation>
    </message>
    <message>
        <source>%1 points, %2 on the frontier; original %3 ms in the %4 runtime at batch %5 (each file timed against it in the same interleaved runs)%6. %7</source>
        <translation>%1 个点，%2 个在前沿上；原模型在 %4 运行时、批大小 %5 下为 %3 毫秒（每个文件在同一组交替运行中与之对比计时）%6。%7</translation>
    </message>
    <message>
        <source>Plan of %1 at %2 % target loaded: the file cut %3 % of the conv MACs and ran %4x against the original (Edit ▸ Undo restores the previous plan).</source>
        <translation>已加载 %1、目标 %2 % 的方案：文件减少了 %3 % 的卷积 MACs，速度为原模型的 %4 倍（编辑 ▸ 撤销可恢复之前的方案）。</translation>
    </message>
</context>
<context>
    <name>ClusterScatterView</name>
    <message>
        <source>k-means</source>
        <translation>k-均值</translation>
    </message>
    <message>
        <source>kernel PCA</source>
        <translation>核主成分分析</translation>
    </message>
    <message>
        <source>spectral</source>
        <translation>谱聚类</translation>
    </message>
    <message>
        <source>smoothness</source>
        <translation>平滑度</translation>
    </message>
    <message>
        <source>TMI</source>
        <translation>TMI</translation>
    </message>
    <message>
        <source>1 filter</source>
        <translation>1 个滤波器</translation>
    </message>
    <message>
        <source>%1 filters</source>
        <translation>%1 个滤波器</translation>
    </message>
    <message>
        <source>Use for Plan</source>
        <translation>用于方案</translation>
    </message>
    <message>
        <source>as planned</source>
        <translation>按方案</translation>
    </message>
    <message>
        <source>preview: %1</source>
        <translation>预览：%1</translation>
    </message>
    <message>
        <source>Show the plan&apos;s groups, or cluster this layer&apos;s filters with another method (same G and ratio) to compare; the plan is not changed</source>
        <translation>显示方案的分组，或用另一种方法（相同的 G 和比例）对此层的滤波器聚类以作比较；方案不会改变</translation>
    </message>
    <message>
        <source>&amp;Groups:</source>
        <translation>分组(&amp;G)：</translation>
    </message>
    <message>
        <source>Make the previewed method the plan&apos;s clustering method for every layer (undoable)</source>
        <translation>将预览的方法设为方案中所有层的聚类方法（可撤销）</translation>
    </message>
    <message>
        <source>group 000: 0000 filters</source>
        <translation>第 000 组：0000 个滤波器</translation>
    </message>
    <message>
        <source>Filters per group: GKP groups are always of equal size</source>
        <translation>每组的滤波器数：GKP 的各组大小始终相同</translation>
    </message>
    <message>
        <source>as planned (%1)</source>
        <translation>按方案（%1）</translation>
    </message>
    <message>
        <source>Clustering: %1</source>
        <translation>聚类：%1</translation>
    </message>
    <message>
        <source>Open a model to see how the filters of a layer are grouped.</source>
        <translation>打开模型以查看层中滤波器的分组情况。</translation>
    </message>
    <message>
        <source>Select a layer to see its filters.</source>
        <translation>选择一个层以查看其滤波器。</translation>
    </message>
    <message>
        <source>Computing the projection of the filters…</source>
        <translation>正在计算滤波器的投影…</translation>
    </message>
    <message>
        <source>&lt;b&gt;Filter groups&lt;/b&gt;</source>
        <translation>&lt;b&gt;滤波器组&lt;/b&gt;</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt; · 1 filter</source>
        <translation>&lt;b&gt;%1&lt;/b&gt; · 1 个滤波器</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt; · %2 filters</source>
        <translation>&lt;b&gt;%1&lt;/b&gt; · %2 个滤波器</translation>
    </message>
    <message>
        <source> · G = %1 groups of %2</source>
        <translation> · G = %1 组，每组 %2 个</translation>
    </message>
    <message>
        <source> · &lt;i&gt;re-planning…&lt;/i&gt;</source>
        <translation> · &lt;i&gt;正在重新规划…&lt;/i&gt;</translation>
    </message>
    <message>
        <source>PC1</source>
        <translation>PC1</translation>
    </message>
    <message>
        <source>PC2</source>
        <translation>PC2</translation>
    </message>
    <message>
        <source>Cannot project the filters of this layer: %1</source>
        <translation>无法投影此层的滤波器：%1</translation>
    </message>
    <message>
        <source>Preview of %1 clustering with the plan&apos;s G and ratio: retained energy %2 % (the plan&apos;s %3: %4 %). The plan is unchanged.</source>
        <translation>聚类方法 %1 的预览（使用方案的 G 和比例）：保留能量 %2%（方案的 %3：%4%）。方案未改变。</translation>
    </message>
    <message>
        <source>Cannot cluster with %1: %2</source>
        <translation>无法使用 %1 进行聚类：%2</translation>
    </message>
    <message>
        <source>Clustering with %1… (showing the plan&apos;s groups meanwhile)</source>
        <translation>正在使用 %1 进行聚类…（期间显示方案的分组）</translation>
    </message>
    <message>
        <source>group %1</source>
        <translation>第 %1 组</translation>
    </message>
    <message>
        <source>group %1: %2</source>
        <translation>第 %1 组：%2</translation>
    </message>
    <message>
        <source>not grouped</source>
        <translation>未分组</translation>
    </message>
    <message>
        <source>Not prunable (%1): the filters are shown without groups.</source>
        <translation>无法剪枝（%1）：滤波器显示为未分组。</translation>
    </message>
    <message>
        <source>No plan yet: the groups appear when planning finishes.</source>
        <translation>尚无方案：规划完成后将显示分组。</translation>
    </message>
    <message>
        <source>This layer reads the network input and is not pruned by default: no groups.</source>
        <translation>此层读取网络输入，默认不剪枝：无分组。</translation>
    </message>
    <message>
        <source>The current settings do not prune this layer: no groups.</source>
        <translation>当前设置不剪枝此层：无分组。</translation>
    </message>
    <message>
        <source>(A preview needs the layer to be in the plan.)</source>
        <translation>（预览要求此层在方案中。）</translation>
    </message>
    <message>
        <source>PC1 (%1 % of the variance)</source>
        <translation>PC1（占方差的 %1%）</translation>
    </message>
    <message>
        <source>PC2 (%1 % of the variance)</source>
        <translation>PC2（占方差的 %1%）</translation>
    </message>
    <message>
        <source>group %1 (%2)</source>
        <translation>第 %1 组（%2）</translation>
    </message>
    <message>
        <source>filter %1
L2 norm %2
%3</source>
        <translation>滤波器 %1
L2 范数 %2
%3</translation>
    </message>
</context>
<context>
    <name>ControlsPanel</name>
    <message>
        <source>Target conv-MACs reduction</source>
        <translation>目标卷积 MACs 削减</translation>
    </message>
    <message>
        <source>auto</source>
        <translation>自动</translation>
    </message>
    <message>
        <source>latency-aware</source>
        <translation>考虑延迟</translation>
    </message>
    <message>
        <source>Prune the stem (reads the input)</source>
        <translation>剪枝主干首层（读取输入）</translation>
    </message>
    <message>
        <source>Selected layer</source>
        <translation>选中的层</translation>
    </message>
    <message>
        <source>Prune this layer</source>
        <translation>剪枝此层</translation>
    </message>
    <message>
        <source>Own ratio</source>
        <translation>单独比例</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Fraction of grouped kernels pruned in every group</source>
        <translation>每组中被剪除的分组卷积核比例</translation>
    </message>
    <message>
        <source>k-means (balanced)</source>
        <translation>k-均值（均衡）</translation>
    </message>
    <message>
        <source>kernel PCA</source>
        <translation>核主成分分析</translation>
    </message>
    <message>
        <source>spectral</source>
        <translation>谱聚类</translation>
    </message>
    <message>
        <source>smoothness (data-free)</source>
        <translation>平滑度（无需数据）</translation>
    </message>
    <message>
        <source>TMI (needs snapshots)</source>
        <translation>TMI（需要训练快照）</translation>
    </message>
    <message>
        <source>greedy (TMI-GKP)</source>
        <translation>贪心（TMI-GKP）</translation>
    </message>
    <message>
        <source>L2 norm</source>
        <translation>L2 范数</translation>
    </message>
    <message>
        <source>geometric median</source>
        <translation>几何中位数</translation>
    </message>
    <message>
        <source>L2 + geometric median</source>
        <translation>L2 + 几何中位数</translation>
    </message>
    <message>
        <source>Whole model</source>
        <translation>整个模型</translation>
    </message>
    <message>
        <source>Pruning ratio</source>
        <translation>剪枝比例</translation>
    </message>
    <message>
        <source>Groups G</source>
        <translation>分组数 G</translation>
    </message>
    <message>
        <source>Clustering</source>
        <translation>聚类</translation>
    </message>
    <message>
        <source>Kernel selection</source>
        <translation>卷积核选择</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>随机种子</translation>
    </message>
    <message>
        <source>Ratio</source>
        <translation>比例</translation>
    </message>
    <message>
        <source>planning…</source>
        <translation>正在规划…</translation>
    </message>
    <message>
        <source>planning %v/%m layers</source>
        <translation>正在规划 %v/%m 层</translation>
    </message>
    <message>
        <source>plan up to date</source>
        <translation>方案已是最新</translation>
    </message>
    <message>
        <source>planning failed</source>
        <translation>规划失败</translation>
    </message>
    <message>
        <source>Layer %1</source>
        <translation>层 %1</translation>
    </message>
    <message>
        <source>as whole model</source>
        <translation>与整个模型相同</translation>
    </message>
    <message>
        <source>%1: G = %2, keeps %3 of %4 input channels per group, %5% energy</source>
        <translation>%1：G = %2，每组保留 %4 个输入通道中的 %3 个，能量 %5%</translation>
    </message>
    <message>
        <source>%1 is not pruned</source>
        <translation>%1 未被剪枝</translation>
    </message>
    <message>
        <source>%1 is not prunable: %2</source>
        <translation>%1 无法剪枝：%2</translation>
    </message>
    <message>
        <source>Pruning ratio %1%</source>
        <translation>剪枝比例 %1%</translation>
    </message>
    <message>
        <source>Change pruning settings</source>
        <translation>更改剪枝设置</translation>
    </message>
    <message>
        <source>Reset %1</source>
        <translation>重置 %1</translation>
    </message>
    <message>
        <source>Edit %1</source>
        <translation>编辑 %1</translation>
    </message>
    <message>
        <source>Keep channels in multiples of 8</source>
        <translation>保留通道数取 8 的倍数</translation>
    </message>
    <message>
        <source>Round each group&apos;s kept input channels to a multiple of 8: CPU convolution kernels run faster on such channel counts (176 rather than 179)</source>
        <translation>将每组保留的输入通道数取整为 8 的倍数：CPU 卷积内核在这样的通道数上运行更快（176 而非 179）</translation>
    </message>
    <message>
        <source>Time layers for the oneDNN runtime</source>
        <translation>按 oneDNN 运行时为各层计时</translation>
    </message>
    <message>
        <source>Latency-aware planning times each layer as it runs after torch.jit.optimize_for_inference (oneDNN convolutions); layers that pruning would not make faster there are left dense and a MACs target is met by the others</source>
        <translation>考虑延迟的规划按各层在 torch.jit.optimize_for_inference 之后（oneDNN 卷积）的运行方式计时；剪枝在那里不会变快的层保持稠密，MACs 目标由其余层达成</translation>
    </message>
    <message>
        <source>%1 is left dense: pruned it ran in %2 ms, dense in %3 ms (latency-aware)</source>
        <translation>%1 保持稠密：剪枝后运行 %2 ms，稠密 %3 ms（考虑延迟）</translation>
    </message>
    <message>
        <source>Keep residual streams whole (internal channels only)</source>
        <translation>保持残差通路完整（仅内部通道）</translation>
    </message>
    <message>
        <source>Grouped kernel pruning (GKP)</source>
        <translation>分组卷积核剪枝（GKP）</translation>
    </message>
    <message>
        <source>Coupled channel pruning</source>
        <translation>耦合通道剪枝</translation>
    </message>
    <message>
        <source>Coupled channel pruning removes whole channels from every layer that holds them (through BatchNorm, residual adds, concats and depthwise convolutions): plain smaller dense layers, the strong structured baseline GKP is compared with</source>
        <translation>耦合通道剪枝从包含这些通道的每一层中删除整个通道（贯穿 BatchNorm、残差相加、拼接和深度卷积）：得到更小的普通稠密层，是与 GKP 比较的强结构化基线</translation>
    </message>
    <message>
        <source>group norm (every coupled layer)</source>
        <translation>组范数（所有耦合层）</translation>
    </message>
    <message>
        <source>L1 norm of the filters</source>
        <translation>滤波器的 L1 范数</translation>
    </message>
    <message>
        <source>L2 norm of the filters</source>
        <translation>滤波器的 L2 范数</translation>
    </message>
    <message>
        <source>Channel pruning: leave every channel a residual add couples; GKP: leave the layers that read a residual stream unpruned</source>
        <translation>通道剪枝：保留残差相加所耦合的每个通道；GKP：不剪枝读取残差通路的层</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>方法</translation>
    </message>
    <message>
        <source>Channel importance</source>
        <translation>通道重要性</translation>
    </message>
</context>
<context>
    <name>DatasetDialog</name>
    <message>
        <source>Dataset</source>
        <translation>数据集</translation>
    </message>
    <message>
        <source>Dataset SPEC: fashion-mnist[:test|train], mnist:DIR, idx:IMAGES,LABELS, cifar10:FILE_OR_DIR, cifar100:FILE_OR_DIR, folder:DIR, with options ,size=HxW ,channels=N ,mean=a/b/c ,std=a/b/c</source>
        <translation>数据集 SPEC：fashion-mnist[:test|train]、mnist:DIR、idx:IMAGES,LABELS、cifar10:FILE_OR_DIR、cifar100:FILE_OR_DIR、folder:DIR，可附加选项 ,size=HxW ,channels=N ,mean=a/b/c ,std=a/b/c</translation>
    </message>
    <message>
        <source>all</source>
        <translation>全部</translation>
    </message>
    <message>
        <source>off</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>the training split of the dataset</source>
        <translation>数据集的训练集</translation>
    </message>
    <message>
        <source>Folder…</source>
        <translation>文件夹…</translation>
    </message>
    <message>
        <source>Evaluate on</source>
        <translation>评估图像数</translation>
    </message>
    <message>
        <source>Recalibrate BatchNorm on</source>
        <translation>BatchNorm 重新校准图像数</translation>
    </message>
    <message>
        <source>Recalibration data</source>
        <translation>重新校准数据</translation>
    </message>
    <message>
        <source>Evaluation uses the first N images. Recalibration re-estimates BatchNorm statistics of every pruned variant on N training images (weights unchanged).</source>
        <translation>评估使用前 N 张图像。重新校准会在 N 张训练图像上重新估计每个剪枝变体的 BatchNorm 统计量（权重不变）。</translation>
    </message>
    <message>
        <source>Image folder (one subfolder per class)</source>
        <translation>图像文件夹（每个类别一个子文件夹）</translation>
    </message>
</context>
<context>
    <name>Document</name>
    <message>
        <source>Open a model before loading a plan.</source>
        <translation>请先打开模型，再加载方案。</translation>
    </message>
    <message>
        <source>Load Plan</source>
        <translation>加载方案</translation>
    </message>
    <message>
        <source>The plan is still being computed; save again in a moment.</source>
        <translation>方案仍在计算中，请稍后再保存。</translation>
    </message>
</context>
<context>
    <name>ExportDialog</name>
    <message>
        <source>Time each layer&apos;s forms and keep the fastest (deploy)</source>
        <translation>为每层测量各种实现形式的耗时并保留最快的（部署）</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Export Pruned Model</source>
        <translation>导出剪枝后的模型</translation>
    </message>
    <message>
        <source>Deploy: frozen, BatchNorm folded, fastest</source>
        <translation>部署：冻结、折叠 BatchNorm，最快</translation>
    </message>
    <message>
        <source>Trainable: parameters and BatchNorm kept, for fine-tuning</source>
        <translation>可训练：保留参数和 BatchNorm，用于微调</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Mode</source>
        <translation>模式</translation>
    </message>
    <message>
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>TorchScript models (*.pt)</source>
        <translation>TorchScript 模型 (*.pt)</translation>
    </message>
    <message>
        <source>&lt;p style=&apos;color:#b00&apos;&gt;There is no up-to-date plan with pruned layers to export yet.&lt;/p&gt;</source>
        <translation>&lt;p style=&apos;color:#b00&apos;&gt;尚无包含已剪枝层的最新方案可供导出。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&lt;p&gt;Exporting, verifying and timing…&lt;/p&gt;</source>
        <translation>&lt;p&gt;正在导出、验证并计时…&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Cancelled: no file was written.</source>
        <translation>已取消：未写入任何文件。</translation>
    </message>
    <message>
        <source>&lt;p style=&apos;color:#b00&apos;&gt;&lt;b&gt;Export failed.&lt;/b&gt; %1&lt;/p&gt;</source>
        <translation>&lt;p style=&apos;color:#b00&apos;&gt;&lt;b&gt;导出失败。&lt;/b&gt;%1&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;b&gt;Wrote&lt;/b&gt; %1 (%2 MB, %3).&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;已写入&lt;/b&gt; %1（%2 MB，%3）。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>deploy</source>
        <translation>部署</translation>
    </message>
    <message>
        <source>trainable</source>
        <translation>可训练</translation>
    </message>
    <message>
        <source>&lt;p style=&apos;color:#070&apos;&gt;&lt;b&gt;Verified&lt;/b&gt;: matches the masked model on %1 random inputs, max relative error %2.&lt;/p&gt;</source>
        <translation>&lt;p style=&apos;color:#070&apos;&gt;&lt;b&gt;已验证&lt;/b&gt;：在 %1 个随机输入上与掩码模型一致，最大相对误差 %2。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&lt;p style=&apos;color:#b00&apos;&gt;Not verified.&lt;/p&gt;</source>
        <translation>&lt;p style=&apos;color:#b00&apos;&gt;未验证。&lt;/p&gt;</translation>
    </message>
    <message numerus="yes">
        <source>&lt;p&gt;%n layer(s) kept as masked dense convolutions because their grouped form was slower on this machine: %1&lt;/p&gt;</source>
        <translation>
            <numerusform>&lt;p&gt;%n 层保留为掩码稠密卷积，因为其分组形式在本机上更慢：%1&lt;/p&gt;</numerusform>
        </translation>
    </message>
    <message>
        <source>As loaded (frozen TorchScript)</source>
        <translation>按加载方式（冻结的 TorchScript）</translation>
    </message>
    <message>
        <source>oneDNN (after torch.jit.optimize_for_inference)</source>
        <translation>oneDNN（torch.jit.optimize_for_inference 之后）</translation>
    </message>
    <message>
        <source>Where the deployed model will run: forms are timed, the file verified and both models benchmarked there</source>
        <translation>部署模型的运行方式：在那里为各形式计时、验证文件并对两个模型做基准测试</translation>
    </message>
    <message>
        <source>Runtime</source>
        <translation>运行时</translation>
    </message>
    <message>
        <source>&lt;p&gt;Forms timed, file verified and both models benchmarked in the oneDNN runtime (torch.jit.optimize_for_inference); the file as loaded was verified too.&lt;/p&gt;</source>
        <translation>&lt;p&gt;已在 oneDNN 运行时（torch.jit.optimize_for_inference）中为各形式计时、验证文件并对两个模型做基准测试；按加载方式的文件也已验证。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>ONNX models (*.onnx)</source>
        <translation>ONNX 模型 (*.onnx)</translation>
    </message>
    <message>
        <source>Write the file even when it runs slower than the original (deploy)</source>
        <translation>即使比原模型慢也写入文件（部署）</translation>
    </message>
    <message>
        <source>This is an ONNX model: a file ending in .onnx is written as a pruned ONNX file (grouped Conv nodes, forms not timed per layer; the whole file is timed in ONNX Runtime when it is installed); a .pt file as TorchScript.</source>
        <translation>这是一个 ONNX 模型：以 .onnx 结尾的文件写为剪枝后的 ONNX 文件（分组 Conv 节点，不逐层计时形式；安装了 ONNX Runtime 时在其中为整个文件计时）；.pt 文件写为 TorchScript。</translation>
    </message>
    <message>
        <source>&lt;p&gt;Latency at batch %1 (medians of %5 interleaved runs in the %6 runtime, the original prepared the same way), timed before the file was written: &lt;b&gt;%2 ms → %3 ms&lt;/b&gt; (%4x).&lt;/p&gt;</source>
        <translation>&lt;p&gt;批大小 %1 时的延迟（在 %6 运行时中交替运行 %5 次的中位数，原模型以相同方式准备），在写入文件之前测得：&lt;b&gt;%2 ms → %3 ms&lt;/b&gt;（%4x）。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&lt;p&gt;The file was not timed against the original: %1&lt;/p&gt;</source>
        <translation>&lt;p&gt;未与原模型对比计时该文件：%1&lt;/p&gt;</translation>
    </message>
</context>
<context>
    <name>FinetuneDialog</name>
    <message>
        <source>Random crop and horizontal flip</source>
        <translation>随机裁剪和水平翻转</translation>
    </message>
    <message>
        <source>Fine-tune</source>
        <translation>微调</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Fine-tune a Trainable Export</source>
        <translation>微调可训练导出模型</translation>
    </message>
    <message>
        <source>a model written by File ▸ Export in trainable mode</source>
        <translation>由“文件 ▸ 导出”以可训练模式写出的模型</translation>
    </message>
    <message>
        <source>all</source>
        <translation>全部</translation>
    </message>
    <message>
        <source>Cosine</source>
        <translation>余弦</translation>
    </message>
    <message>
        <source>Step (x0.1 per epoch)</source>
        <translation>阶梯（每轮 x0.1）</translation>
    </message>
    <message>
        <source>Constant</source>
        <translation>恒定</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Trainable export</source>
        <translation>可训练导出模型</translation>
    </message>
    <message>
        <source>Dataset</source>
        <translation>数据集</translation>
    </message>
    <message>
        <source>Epochs</source>
        <translation>轮数</translation>
    </message>
    <message>
        <source>Learning rate</source>
        <translation>学习率</translation>
    </message>
    <message>
        <source>Schedule</source>
        <translation>学习率调度</translation>
    </message>
    <message>
        <source>Batch size</source>
        <translation>批大小</translation>
    </message>
    <message>
        <source>Training images</source>
        <translation>训练图像数</translation>
    </message>
    <message>
        <source>Validation images</source>
        <translation>验证图像数</translation>
    </message>
    <message>
        <source>Save trainable to</source>
        <translation>可训练模型保存到</translation>
    </message>
    <message>
        <source>Save deploy to</source>
        <translation>部署模型保存到</translation>
    </message>
    <message>
        <source>training step</source>
        <translation>训练步数</translation>
    </message>
    <message>
        <source>training loss</source>
        <translation>训练损失</translation>
    </message>
    <message>
        <source>validation top-1 (%)</source>
        <translation>验证 top-1 准确率（%）</translation>
    </message>
    <message>
        <source>validation top-1</source>
        <translation>验证 top-1 准确率</translation>
    </message>
    <message>
        <source>Trainable Export</source>
        <translation>可训练导出模型</translation>
    </message>
    <message>
        <source>TorchScript models (*.pt)</source>
        <translation>TorchScript 模型 (*.pt)</translation>
    </message>
    <message>
        <source>Save Fine-tuned Model</source>
        <translation>保存微调后的模型</translation>
    </message>
    <message>
        <source>&lt;span style=&apos;color:#b00&apos;&gt;Choose the trainable export and where to save.&lt;/span&gt;</source>
        <translation>&lt;span style=&apos;color:#b00&apos;&gt;请选择可训练导出模型和保存位置。&lt;/span&gt;</translation>
    </message>
    <message>
        <source>Loading data…</source>
        <translation>正在加载数据…</translation>
    </message>
    <message>
        <source>Epoch %1/%2, step %3/%4, loss %5</source>
        <translation>第 %1/%2 轮，第 %3/%4 步，损失 %5</translation>
    </message>
    <message>
        <source>&lt;b&gt;Done.&lt;/b&gt; Validation top-1 &lt;b&gt;%1 %&lt;/b&gt; on %2 images. Pruned kernels: %3 layer(s), %4 nonzero pruned weights. Wrote %5%6.</source>
        <translation>&lt;b&gt;完成。&lt;/b&gt;验证 top-1 准确率 &lt;b&gt;%1%&lt;/b&gt;（%2 张图像）。剪除的卷积核：%3 个层，%4 个非零的剪除权重。已写入 %5%6。</translation>
    </message>
    <message>
        <source> and %1 (deploy)</source>
        <translation> 和 %1（部署）</translation>
    </message>
    <message>
        <source>Cancelled: no file was written.</source>
        <translation>已取消：未写入任何文件。</translation>
    </message>
    <message>
        <source>&lt;span style=&apos;color:#b00&apos;&gt;&lt;b&gt;Failed.&lt;/b&gt; %1&lt;/span&gt;</source>
        <translation>&lt;span style=&apos;color:#b00&apos;&gt;&lt;b&gt;失败。&lt;/b&gt;%1&lt;/span&gt;</translation>
    </message>
</context>
<context>
    <name>GranularityPanel</name>
    <message>
        <source>Rows: output channels o (filters). Columns: input channels c. Dark: kept, light: pruned; in between: part of the kernel&apos;s weights kept.</source>
        <translation>行：输出通道 o（滤波器）。列：输入通道 c。深色：保留，浅色：剪除；介于两者之间：保留了卷积核的部分权重。</translation>
    </message>
    <message>
        <source>kept: %1 % of weights&lt;br&gt;retained energy: &lt;b&gt;%2 %&lt;/b&gt;</source>
        <translation>保留：%1% 的权重&lt;br&gt;保留能量：&lt;b&gt;%2%&lt;/b&gt;</translation>
    </message>
    <message>
        <source>dense: runs on standard kernels</source>
        <translation>稠密：可在标准算子上运行</translation>
    </message>
    <message>
        <source>sparse: needs sparse kernels</source>
        <translation>稀疏：需要稀疏算子</translation>
    </message>
</context>
<context>
    <name>GranularityView</name>
    <message>
        <source>Weight</source>
        <translation>权重</translation>
    </message>
    <message>
        <source>Kernel</source>
        <translation>卷积核</translation>
    </message>
    <message>
        <source>Grouped kernel (GKP)</source>
        <translation>分组卷积核（GKP）</translation>
    </message>
    <message>
        <source>Filter</source>
        <translation>滤波器</translation>
    </message>
    <message>
        <source>largest |w|, value by value</source>
        <translation>逐个取 |w| 最大的权重</translation>
    </message>
    <message>
        <source>largest L1 norm, kernel by kernel</source>
        <translation>逐个取 L1 范数最大的卷积核</translation>
    </message>
    <message>
        <source>%1 clustering, %2 selection, G&#xa0;=&#xa0;%3</source>
        <translation>%1 聚类，%2 选择，G&#xa0;=&#xa0;%3</translation>
    </message>
    <message>
        <source>the GKP pipeline with G&#xa0;=&#xa0;1 (%1 selection)</source>
        <translation>G&#xa0;=&#xa0;1 时的 GKP 流程（%1 选择）</translation>
    </message>
    <message>
        <source>largest L1 norm, filter by filter</source>
        <translation>逐个取 L1 范数最大的滤波器</translation>
    </message>
    <message>
        <source>Computing…</source>
        <translation>正在计算…</translation>
    </message>
    <message>
        <source>Select a layer to compare pruning granularities.</source>
        <translation>选择一个层以比较剪枝粒度。</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt; is not prunable (%2): nothing to compare.</source>
        <translation>&lt;b&gt;%1&lt;/b&gt; 无法剪枝（%2）：没有可比较的内容。</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt; reads the network input and is not pruned by default: nothing to compare.</source>
        <translation>&lt;b&gt;%1&lt;/b&gt; 读取网络输入，默认不剪枝：没有可比较的内容。</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt; is not pruned by the current plan: nothing to compare.</source>
        <translation>当前方案未剪枝 &lt;b&gt;%1&lt;/b&gt;：没有可比较的内容。</translation>
    </message>
    <message>
        <source>Comparing granularities for &lt;b&gt;%1&lt;/b&gt;…</source>
        <translation>正在比较 &lt;b&gt;%1&lt;/b&gt; 的剪枝粒度…</translation>
    </message>
    <message>
        <source>Comparison failed: %1</source>
        <translation>比较失败：%1</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt;: %2 × %3 kernels pruned five ways at the same kept fraction (%4 of %5 input channels, %6 %). Rows: filters o; columns: input channels c; &lt;b&gt;dark&lt;/b&gt; = kept, &lt;b&gt;light&lt;/b&gt; = pruned.</source>
        <translation>&lt;b&gt;%1&lt;/b&gt;：%2 × %3 个卷积核，以相同保留比例（%5 个输入通道中的 %4 个，%6%）按五种方式剪枝。行：滤波器 o；列：输入通道 c；&lt;b&gt;深色&lt;/b&gt; = 保留，&lt;b&gt;浅色&lt;/b&gt; = 剪除。</translation>
    </message>
    <message>
        <source>GKP, G&#xa0;=&#xa0;1</source>
        <translation>GKP，G&#xa0;=&#xa0;1</translation>
    </message>
    <message>
        <source>Channel (coupled)</source>
        <translation>通道（耦合）</translation>
    </message>
    <message>
        <source>coupled channels: none of this layer&apos;s inputs can be removed</source>
        <translation>耦合通道：该层的输入均不能删除</translation>
    </message>
    <message>
        <source>coupled channels, group norm over every layer holding them</source>
        <translation>耦合通道，对包含它们的所有层计算组范数</translation>
    </message>
</context>
<context>
    <name>KernelHeatmapView</name>
    <message>
        <source>Grouped order</source>
        <translation>分组顺序</translation>
    </message>
    <message>
        <source>L1 norm</source>
        <translation>L1 范数</translation>
    </message>
    <message>
        <source>L2 norm</source>
        <translation>L2 范数</translation>
    </message>
    <message>
        <source>Norm of each kh × kw kernel W[o, c]</source>
        <translation>每个 kh × kw 卷积核 W[o, c] 的范数</translation>
    </message>
    <message>
        <source>Sort filters by (group, index) and show each group&apos;s kept input channels first, as the grouped convolution sees them</source>
        <translation>按（组，索引）排序滤波器，并先显示每组保留的输入通道，与分组卷积看到的一致</translation>
    </message>
    <message>
        <source>Fit</source>
        <translation>适应窗口</translation>
    </message>
    <message>
        <source>Show the whole layer (or double-click the plot)</source>
        <translation>显示整个层（或双击图表）</translation>
    </message>
    <message>
        <source>Norm:</source>
        <translation>范数：</translation>
    </message>
    <message>
        <source>filter o = %1, input channel c = %2</source>
        <translation>滤波器 o = %1，输入通道 c = %2</translation>
    </message>
    <message>
        <source>L1 norm = %1</source>
        <translation>L1 范数 = %1</translation>
    </message>
    <message>
        <source>L2 norm = %1</source>
        <translation>L2 范数 = %1</translation>
    </message>
    <message>
        <source>kept, group %1</source>
        <translation>保留，第 %1 组</translation>
    </message>
    <message>
        <source>pruned, group %1</source>
        <translation>剪除，第 %1 组</translation>
    </message>
    <message>
        <source>No layer selected.</source>
        <translation>未选择层。</translation>
    </message>
    <message>
        <source>Not pruned: this layer reads the network input and is excluded by default. Norms only, no mask.</source>
        <translation>未剪枝：此层读取网络输入，默认被排除。仅显示范数，无掩码。</translation>
    </message>
    <message>
        <source>Not prunable (%1): norms only, no mask.</source>
        <translation>无法剪枝（%1）：仅显示范数，无掩码。</translation>
    </message>
    <message>
        <source>Not pruned by the current plan: norms only, no mask.</source>
        <translation>当前方案未剪枝此层：仅显示范数，无掩码。</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt; — %2 × %3 kernels</source>
        <translation>&lt;b&gt;%1&lt;/b&gt; — %2 × %3 个卷积核</translation>
    </message>
    <message>
        <source>, G = %1, %2 of %3 input channels kept per group, retained energy %4 %</source>
        <translation>，G = %1，每组保留 %3 个输入通道中的 %2 个，保留能量 %4%</translation>
    </message>
    <message>
        <source>kernel L1 norm  ‖W[o, c]‖₁</source>
        <translation>卷积核 L1 范数  ‖W[o, c]‖₁</translation>
    </message>
    <message>
        <source>kernel L2 norm  ‖W[o, c]‖₂</source>
        <translation>卷积核 L2 范数  ‖W[o, c]‖₂</translation>
    </message>
    <message>
        <source>input channels of the row&apos;s group: kept (left of the line), then pruned</source>
        <translation>该行所在组的输入通道：先保留的（线左侧），后剪除的</translation>
    </message>
    <message>
        <source>output channel o (filter), sorted by group</source>
        <translation>输出通道 o（滤波器），按组排序</translation>
    </message>
    <message>
        <source>input channel c</source>
        <translation>输入通道 c</translation>
    </message>
    <message>
        <source>output channel o (filter)</source>
        <translation>输出通道 o（滤波器）</translation>
    </message>
    <message>
        <source>g%1</source>
        <translation>g%1</translation>
    </message>
    <message>
        <source>&lt;b&gt;Coloured&lt;/b&gt; cells: kept kernels (colour = norm, see the scale). &lt;b&gt;Grey&lt;/b&gt; cells: pruned kernels (darker grey = larger norm).</source>
        <translation>&lt;b&gt;彩色&lt;/b&gt;单元格：保留的卷积核（颜色 = 范数，见色标）。&lt;b&gt;灰色&lt;/b&gt;单元格：剪除的卷积核（灰色越深 = 范数越大）。</translation>
    </message>
    <message>
        <source>Black lines separate filter groups; the red dashed line separates each group&apos;s kept input channels from its pruned ones.</source>
        <translation>黑线分隔滤波器组；红色虚线分隔每组保留的与剪除的输入通道。</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt; — computing the kernel norms…</source>
        <translation>&lt;b&gt;%1&lt;/b&gt; — 正在计算卷积核范数…</translation>
    </message>
</context>
<context>
    <name>LayerTableDelegate</name>
    <message>
        <source>auto</source>
        <translation>自动</translation>
    </message>
</context>
<context>
    <name>LayerTableModel</name>
    <message>
        <source>not pruned</source>
        <translation>未剪枝</translation>
    </message>
    <message>
        <source>%1 (auto)</source>
        <translation>%1（自动）</translation>
    </message>
    <message>
        <source>%1/%2 (%3%)</source>
        <translation>%1/%2（%3%）</translation>
    </message>
    <message>
        <source>%1→%2, %3</source>
        <translation>%1→%2，%3</translation>
    </message>
    <message>
        <source>, g=%1</source>
        <translation>，g=%1</translation>
    </message>
    <message>
        <source>, s=%1</source>
        <translation>，s=%1</translation>
    </message>
    <message>
        <source>no: %1</source>
        <translation>否：%1</translation>
    </message>
    <message>
        <source>yes (stem, excluded)</source>
        <translation>是（主干首层，已排除）</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>%1
input %2 → output %3
%4 parameters, %5 MACs per image</source>
        <translation>%1
输入 %2 → 输出 %3
%4 个参数，每张图像 %5 MACs</translation>
    </message>
    <message>
        <source>Ratio of %1</source>
        <translation>%1 的比例</translation>
    </message>
    <message>
        <source>Groups of %1</source>
        <translation>%1 的分组数</translation>
    </message>
    <message>
        <source>Fraction of grouped kernels pruned in every group (double-click to edit)</source>
        <translation>每组中被剪除的分组卷积核比例（双击编辑）</translation>
    </message>
    <message>
        <source>Filter groups G (double-click to edit; auto = flexible group count)</source>
        <translation>滤波器分组数 G（双击编辑；自动 = 灵活分组数）</translation>
    </message>
    <message>
        <source>Input channels kept per group, m of Cin</source>
        <translation>每组保留的输入通道数，Cin 中的 m 个</translation>
    </message>
    <message>
        <source>Retained weight energy ||W·mask||² / ||W||²</source>
        <translation>保留的权重能量 ||W·mask||² / ||W||²</translation>
    </message>
    <message>
        <source>#</source>
        <translation>#</translation>
    </message>
    <message>
        <source>Layer</source>
        <translation>层</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Shape</source>
        <translation>形状</translation>
    </message>
    <message>
        <source>Params</source>
        <translation>参数</translation>
    </message>
    <message>
        <source>MACs</source>
        <translation>MACs</translation>
    </message>
    <message>
        <source>Prunable</source>
        <translation>可剪枝</translation>
    </message>
    <message>
        <source>Ratio</source>
        <translation>比例</translation>
    </message>
    <message>
        <source>G</source>
        <translation>G</translation>
    </message>
    <message>
        <source>Kept</source>
        <translation>保留</translation>
    </message>
    <message>
        <source>Energy</source>
        <translation>能量</translation>
    </message>
    <message>
        <source>MACs after</source>
        <translation>剪枝后 MACs</translation>
    </message>
    <message>
        <source>left dense</source>
        <translation>保持稠密</translation>
    </message>
    <message>
        <source>Latency-aware planning left this layer dense: its fastest pruned form took %1 ms, the dense convolution %2 ms. The MACs target is met by the other layers.</source>
        <translation>考虑延迟的规划让此层保持稠密：其最快的剪枝形式耗时 %1 ms，稠密卷积 %2 ms。MACs 目标由其余层达成。</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>GKP Studio</source>
        <translation>GKP Studio</translation>
    </message>
    <message>
        <source>Loading %1…</source>
        <translation>正在加载 %1…</translation>
    </message>
    <message>
        <source>Planning failed: %1</source>
        <translation>规划失败：%1</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Open Model…</source>
        <translation>打开模型(&amp;O)…</translation>
    </message>
    <message>
        <source>Open Model with Input &amp;Shape…</source>
        <translation>按输入形状打开模型(&amp;S)…</translation>
    </message>
    <message>
        <source>Open &amp;Recent</source>
        <translation>最近打开(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Load Plan…</source>
        <translation>加载方案(&amp;L)…</translation>
    </message>
    <message>
        <source>&amp;Save Plan…</source>
        <translation>保存方案(&amp;S)…</translation>
    </message>
    <message>
        <source>&amp;Export Pruned Model…</source>
        <translation>导出剪枝后的模型(&amp;E)…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <source>&amp;Undo</source>
        <translation>撤销(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;Redo</source>
        <translation>重做(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>Controls</source>
        <translation>控制面板</translation>
    </message>
    <message>
        <source>Model Summary</source>
        <translation>模型概览</translation>
    </message>
    <message>
        <source>Kernel Heatmap</source>
        <translation>卷积核热图</translation>
    </message>
    <message>
        <source>Pruning Granularity</source>
        <translation>剪枝粒度</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>GKP Studio will use %1 the next time it starts.</source>
        <translation>GKP Studio 将在下次启动时使用 %1。</translation>
    </message>
    <message>
        <source>Input Shape</source>
        <translation>输入形状</translation>
    </message>
    <message>
        <source>Example input shape (N,C,H,W):</source>
        <translation>示例输入形状 (N,C,H,W)：</translation>
    </message>
    <message>
        <source>Invalid Input Shape</source>
        <translation>无效的输入形状</translation>
    </message>
    <message>
        <source>Load Plan</source>
        <translation>加载方案</translation>
    </message>
    <message>
        <source>GKP plans (*.json);;All files (*)</source>
        <translation>GKP 方案 (*.json);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Cannot Load Plan</source>
        <translation>无法加载方案</translation>
    </message>
    <message>
        <source>Save Plan</source>
        <translation>保存方案</translation>
    </message>
    <message>
        <source>GKP plans (*.json)</source>
        <translation>GKP 方案 (*.json)</translation>
    </message>
    <message>
        <source>Saved %1</source>
        <translation>已保存 %1</translation>
    </message>
    <message>
        <source>Cannot Save Plan</source>
        <translation>无法保存方案</translation>
    </message>
    <message>
        <source>%1 — GKP Studio</source>
        <translation>%1 — GKP Studio</translation>
    </message>
    <message>
        <source>Loaded %1</source>
        <translation>已加载 %1</translation>
    </message>
    <message>
        <source>Cannot Open Model</source>
        <translation>无法打开模型</translation>
    </message>
    <message>
        <source>Filter Clusters</source>
        <translation>滤波器聚类</translation>
    </message>
    <message>
        <source>&amp;Analysis</source>
        <translation>分析(&amp;A)</translation>
    </message>
    <message>
        <source>&amp;Sensitivity and Granularity Comparison…</source>
        <translation>敏感度与粒度比较(&amp;S)…</translation>
    </message>
    <message>
        <source>&amp;Fine-tune Trainable Export…</source>
        <translation>微调可训练导出模型(&amp;F)…</translation>
    </message>
    <message>
        <source>Open Model</source>
        <translation>打开模型</translation>
    </message>
    <message>
        <source>TorchScript and ONNX models (%1);;All files (*)</source>
        <translation>TorchScript 和 ONNX 模型 (%1);;所有文件 (*)</translation>
    </message>
</context>
<context>
    <name>ModelSummaryView</name>
    <message>
        <source>before pruning</source>
        <translation>剪枝前</translation>
    </message>
    <message>
        <source>after pruning</source>
        <translation>剪枝后</translation>
    </message>
    <message>
        <source>convolution (execution order)</source>
        <translation>卷积（执行顺序）</translation>
    </message>
    <message>
        <source>Click a bar to select its layer; wheel to zoom, drag to scroll, double-click to fit</source>
        <translation>单击柱形以选中其层；滚轮缩放，拖动滚动，双击适应窗口</translation>
    </message>
    <message>
        <source>Size: the model file as loaded, and an estimate of the deploy export: kept parameters × 4 bytes, plus the file&apos;s own code and metadata, plus the int64 channel indices the grouped convolutions gather with</source>
        <translation>大小：加载的模型文件，以及部署导出的估计值：保留的参数 × 4 字节，加上文件自身的代码和元数据，再加上分组卷积收集输入通道所用的 int64 通道索引</translation>
    </message>
    <message>
        <source>MACs / image</source>
        <translation>MACs / 图像</translation>
    </message>
    <message>
        <source>MACs / image (G)</source>
        <translation>MACs / 图像 (G)</translation>
    </message>
    <message>
        <source>MACs / image (M)</source>
        <translation>MACs / 图像 (M)</translation>
    </message>
    <message>
        <source>MACs / image (K)</source>
        <translation>MACs / 图像 (K)</translation>
    </message>
    <message>
        <source>No model</source>
        <translation>没有模型</translation>
    </message>
    <message>
        <source>−%1</source>
        <translation>−%1</translation>
    </message>
    <message>
        <source>Conv MACs</source>
        <translation>卷积 MACs</translation>
    </message>
    <message>
        <source>%1 → %2</source>
        <translation>%1 → %2</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>参数</translation>
    </message>
    <message>
        <source>Size (deploy, est.)</source>
        <translation>大小（部署，估计）</translation>
    </message>
    <message>
        <source>Pruned layers</source>
        <translation>已剪枝层</translation>
    </message>
    <message>
        <source>%1 of %2 prunable</source>
        <translation>%2 个可剪枝层中的 %1 个</translation>
    </message>
    <message>
        <source>%1 convs</source>
        <translation>%1 个卷积层</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt;</source>
        <translation>&lt;b&gt;%1&lt;/b&gt;</translation>
    </message>
    <message>
        <source>stored in the archive</source>
        <translation>存储于模型文件中</translation>
    </message>
    <message>
        <source>as given</source>
        <translation>按指定</translation>
    </message>
    <message>
        <source>default</source>
        <translation>默认</translation>
    </message>
    <message>
        <source>&lt;br&gt;Input %1 (%2)</source>
        <translation>&lt;br&gt;输入 %1（%2）</translation>
    </message>
    <message>
        <source>&lt;br&gt;&lt;i&gt;Computing the plan…&lt;/i&gt;</source>
        <translation>&lt;br&gt;&lt;i&gt;正在计算方案…&lt;/i&gt;</translation>
    </message>
    <message>
        <source>Computing the plan…</source>
        <translation>正在计算方案…</translation>
    </message>
    <message>
        <source>&lt;br&gt;&lt;i&gt;No plan yet.&lt;/i&gt;</source>
        <translation>&lt;br&gt;&lt;i&gt;尚无方案。&lt;/i&gt;</translation>
    </message>
    <message>
        <source>No plan yet.</source>
        <translation>尚无方案。</translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;i&gt;Note: %1&lt;/i&gt;&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;i&gt;注：%1&lt;/i&gt;&lt;/p&gt;</translation>
    </message>
    <message>
        <source>convolution # (execution order)</source>
        <translation>卷积序号（执行顺序）</translation>
    </message>
    <message>
        <source>not prunable: %1</source>
        <translation>无法剪枝：%1</translation>
    </message>
    <message>
        <source>not pruned</source>
        <translation>未剪枝</translation>
    </message>
    <message>
        <source>pruned: −%1 MACs</source>
        <translation>已剪枝：MACs −%1</translation>
    </message>
    <message>
        <source>%1 (layer %2)
before: %3 MACs
after: %4 MACs
%5</source>
        <translation>%1（层 %2）
剪枝前：%3 MACs
剪枝后：%4 MACs
%5</translation>
    </message>
    <message>
        <source>MACs (deployed)</source>
        <translation>MACs（部署）</translation>
    </message>
    <message>
        <source>&lt;b&gt;No model&lt;/b&gt;&lt;p&gt;Open a TorchScript model (&lt;b&gt;File ▸ Open Model&lt;/b&gt;) saved with &lt;code&gt;torch.jit.script&lt;/code&gt; or &lt;code&gt;torch.jit.trace&lt;/code&gt;, or an ONNX model from any framework, or drop a &lt;code&gt;.pt&lt;/code&gt; or &lt;code&gt;.onnx&lt;/code&gt; file on this window.&lt;/p&gt;</source>
        <translation>&lt;b&gt;没有模型&lt;/b&gt;&lt;p&gt;打开用 &lt;code&gt;torch.jit.script&lt;/code&gt; 或 &lt;code&gt;torch.jit.trace&lt;/code&gt; 保存的 TorchScript 模型，或任意框架导出的 ONNX 模型（&lt;b&gt;文件 ▸ 打开模型&lt;/b&gt;），或将 &lt;code&gt;.pt&lt;/code&gt; 或 &lt;code&gt;.onnx&lt;/code&gt; 文件拖放到此窗口。&lt;/p&gt;</translation>
    </message>
</context>
<context>
    <name>QObject</name>
    <message>
        <source>no dataset chosen</source>
        <translation>未选择数据集</translation>
    </message>
    <message>
        <source>first %1 images</source>
        <translation>前 %1 张图像</translation>
    </message>
    <message>
        <source>all images</source>
        <translation>全部图像</translation>
    </message>
    <message>
        <source>, BatchNorm recalibrated on %1 training images</source>
        <translation>，BatchNorm 已在 %1 张训练图像上重新校准</translation>
    </message>
    <message>
        <source>, BatchNorm statistics as stored</source>
        <translation>，BatchNorm 统计量保持存储值</translation>
    </message>
</context>
<context>
    <name>UiLanguage</name>
    <message>
        <source>System (%1)</source>
        <translation>系统（%1）</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>Grouped Kernel Pruning studio</source>
        <translation>分组卷积核剪枝工作室</translation>
    </message>
    <message>
        <source>TorchScript model to open (default: the demo model)</source>
        <translation>要打开的 TorchScript 模型（默认：演示模型）</translation>
    </message>
    <message>
        <source>Print where the bundled demo model is, then exit</source>
        <translation>输出内置演示模型的位置，然后退出</translation>
    </message>
    <message>
        <source>(not installed)</source>
        <translation>（未安装）</translation>
    </message>
</context>
</TS>
