<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>AnalysisWindow</name>
    <message>
        <source>Grouped kernel (GKP)</source>
        <translation>Gruppierter Kernel (GKP)</translation>
    </message>
    <message>
        <source>Filter (L1)</source>
        <translation>Filter (L1)</translation>
    </message>
    <message>
        <source>Kernel (L1, sparse)</source>
        <translation>Kernel (L1, dünnbesetzt)</translation>
    </message>
    <message>
        <source>Weight (|w|, sparse)</source>
        <translation>Gewicht (|w|, dünnbesetzt)</translation>
    </message>
    <message>
        <source>GKP ratios by the sensitivity measured on the first tab</source>
        <translation>GKP-Raten nach der im ersten Tab gemessenen Sensitivität</translation>
    </message>
    <message>
        <source>pruning ratio of the layer</source>
        <translation>Pruning-Rate der Schicht</translation>
    </message>
    <message>
        <source>top-1 drop (points)</source>
        <translation>Rückgang der Top-1-Genauigkeit (Prozentpunkte)</translation>
    </message>
    <message>
        <source>conv-MACs reduction (%)</source>
        <translation>Reduktion der Conv-MACs (%)</translation>
    </message>
    <message>
        <source>top-1 (%)</source>
        <translation>Top-1-Genauigkeit (%)</translation>
    </message>
    <message>
        <source>Measure</source>
        <translation>Messen</translation>
    </message>
    <message>
        <source>Compare</source>
        <translation>Vergleichen</translation>
    </message>
    <message>
        <source>Use for MACs-Target Allocation</source>
        <translation>Für die Verteilung des MACs-Ziels verwenden</translation>
    </message>
    <message>
        <source>Save…</source>
        <translation>Speichern…</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Sensitivity and Granularity Comparison</source>
        <translation>Sensitivität und Granularitätsvergleich</translation>
    </message>
    <message>
        <source>Dataset…</source>
        <translation>Datensatz…</translation>
    </message>
    <message>
        <source>Data:</source>
        <translation>Daten:</translation>
    </message>
    <message>
        <source>Ratios</source>
        <translation>Raten</translation>
    </message>
    <message>
        <source>MACs reductions</source>
        <translation>MACs-Reduktionen</translation>
    </message>
    <message>
        <source>Layer Sensitivity</source>
        <translation>Schichtsensitivität</translation>
    </message>
    <message>
        <source>Granularity Comparison</source>
        <translation>Granularitätsvergleich</translation>
    </message>
    <message>
        <source>Ratios: %1</source>
        <translation>Raten: %1</translation>
    </message>
    <message>
        <source>Measuring layer sensitivity on %1…</source>
        <translation>Messe die Schichtsensitivität auf %1…</translation>
    </message>
    <message>
        <source>MACs reductions: %1</source>
        <translation>MACs-Reduktionen: %1</translation>
    </message>
    <message>
        <source>Comparing granularities on %1…</source>
        <translation>Vergleiche Granularitäten auf %1…</translation>
    </message>
    <message>
        <source>every pruned variant evaluated after BatchNorm recalibration on %1 training images</source>
        <translation>jede geprunte Variante nach BatchNorm-Rekalibrierung auf %1 Trainingsbildern ausgewertet</translation>
    </message>
    <message>
        <source>BatchNorm statistics as stored (no recalibration)</source>
        <translation>BatchNorm-Statistiken wie gespeichert (keine Rekalibrierung)</translation>
    </message>
    <message>
        <source>Cancelled.</source>
        <translation>Abgebrochen.</translation>
    </message>
    <message>
        <source>&lt;span style=&apos;color:#b00&apos;&gt;Failed: %1&lt;/span&gt;</source>
        <translation>&lt;span style=&apos;color:#b00&apos;&gt;Fehlgeschlagen: %1&lt;/span&gt;</translation>
    </message>
    <message>
        <source>Unpruned top-1 %1 % on %2 images; %3.</source>
        <translation>Top-1-Genauigkeit ungeprunt %1 % auf %2 Bildern; %3.</translation>
    </message>
    <message>
        <source>Unpruned top-1 %1 % on %2 images; %3. MACs of kernel and weight pruning are sparse MACs (nonzero weights).</source>
        <translation>Top-1-Genauigkeit ungeprunt %1 % auf %2 Bildern; %3. Die MACs von Kernel- und Gewichts-Pruning sind dünnbesetzte MACs (Gewichte ungleich null).</translation>
    </message>
    <message>
        <source>dashed: unpruned %1 %</source>
        <translation>gestrichelt: ungeprunt %1 %</translation>
    </message>
    <message>
        <source>Sensitivity-Aware Allocation</source>
        <translation>Sensitivitätsbewusste Verteilung</translation>
    </message>
    <message>
        <source>The MACs target is now spread by sensitivity: less sensitive layers are pruned more.</source>
        <translation>Das MACs-Ziel wird jetzt nach Sensitivität verteilt: Weniger sensitive Schichten werden stärker geprunt.</translation>
    </message>
    <message>
        <source>Save Results</source>
        <translation>Ergebnisse speichern</translation>
    </message>
    <message>
        <source>JSON (*.json);;CSV (*.csv)</source>
        <translation>JSON (*.json);;CSV (*.csv)</translation>
    </message>
    <message>
        <source>Saved %1.</source>
        <translation>%1 gespeichert.</translation>
    </message>
    <message>
        <source>&lt;span style=&apos;color:#b00&apos;&gt;%1&lt;/span&gt;</source>
        <translation>&lt;span style=&apos;color:#b00&apos;&gt;%1&lt;/span&gt;</translation>
    </message>
    <message>
        <source>Channel (coupled, group norm)</source>
        <translation>Kanäle (gekoppelt, Gruppennorm)</translation>
    </message>
    <message>
        <source>Channel (coupled, internal only)</source>
        <translation>Kanäle (gekoppelt, nur intern)</translation>
    </message>
    <message>
        <source>GKP with G = 1</source>
        <translation>GKP mit G = 1</translation>
    </message>
    <message>
        <source>Top-1 on the data (else retained kernel energy)</source>
        <translation>Top-1 auf den Daten (sonst erhaltene Kernel-Energie)</translation>
    </message>
    <message>
        <source>model&apos;s</source>
        <translation>des Modells</translation>
    </message>
    <message>
        <source>Batch the files are exported for and timed at</source>
        <translation>Batch, für den die Dateien exportiert und gemessen werden</translation>
    </message>
    <message>
        <source>G</source>
        <translation>G</translation>
    </message>
    <message>
        <source>MACs targets</source>
        <translation>MACs-Ziele</translation>
    </message>
    <message>
        <source>Batch</source>
        <translation>Batch</translation>
    </message>
    <message>
        <source>Click a point to use its plan.</source>
        <translation>Einen Punkt anklicken, um seinen Plan zu übernehmen.</translation>
    </message>
    <message>
        <source>Accuracy–Latency Frontier</source>
        <translation>Genauigkeits-Latenz-Front</translation>
    </message>
    <message>
        <source>Frontier: %1</source>
        <translation>Front: %1</translation>
    </message>
    <message>
        <source>Frontier: no temporary folder for the points&apos; plans</source>
        <translation>Front: kein temporärer Ordner für die Pläne der Punkte</translation>
    </message>
    <message>
        <source>Measuring the accuracy-latency frontier on %1…</source>
        <translation>Genauigkeits-Latenz-Front wird auf %1 gemessen…</translation>
    </message>
    <message>
        <source>Measuring the energy-latency frontier…</source>
        <translation>Energie-Latenz-Front wird gemessen…</translation>
    </message>
    <message>
        <source>retained kernel energy (%)</source>
        <translation>erhaltene Kernel-Energie (%)</translation>
    </message>
    <message>
        <source>G auto (latency-aware)</source>
        <translation>G automatisch (latenzbewusst)</translation>
    </message>
    <message>
        <source>G = %1</source>
        <translation>G = %1</translation>
    </message>
    <message>
        <source>Pareto frontier</source>
        <translation>Pareto-Front</translation>
    </message>
    <message>
        <source>original %1 ms</source>
        <translation>Original %1 ms</translation>
    </message>
    <message>
        <source>time of the exported file / the original&apos;s, same runs</source>
        <translation>Zeit der exportierten Datei / die des Originals, gleiche Läufe</translation>
    </message>
    <message>
        <source>channel pruning (coupled, %1)</source>
        <translation>Kanal-Pruning (gekoppelt, %1)</translation>
    </message>
    <message>
        <source>channel pruning (coupled, %1, internal only)</source>
        <translation>Kanal-Pruning (gekoppelt, %1, nur interne Kanäle)</translation>
    </message>
    <message>
        <source>No GKP point with G &gt; 1 in most of its layers to set against a channel-pruning point at equal speed.</source>
        <translation>Kein GKP-Punkt mit G &gt; 1 in den meisten Schichten, der sich bei gleicher Geschwindigkeit mit einem Kanal-Pruning-Punkt vergleichen lässt.</translation>
    </message>
    <message>
        <source>%1 at %2 % leads the channel-pruning points it is at most 1.10x slower than by %3 points at least (closest: %4 at %5 %).</source>
        <translation>%1 bei %2 % liegt vor den Kanal-Pruning-Punkten, gegenüber denen er höchstens 1,10x langsamer ist, um mindestens %3 Punkte (am nächsten: %4 bei %5 %).</translation>
    </message>
    <message>
        <source>GKP beats channel pruning at equal speed: </source>
        <translation>GKP schlägt Kanal-Pruning bei gleicher Geschwindigkeit: </translation>
    </message>
    <message>
        <source>GKP does not beat channel pruning by 3 points at equal speed: </source>
        <translation>GKP schlägt Kanal-Pruning bei gleicher Geschwindigkeit nicht um 3 Punkte: </translation>
    </message>
    <message>
        <source>%1 points, %2 on the frontier; original %3 ms in the %4 runtime at batch %5 (each file timed against it in the same interleaved runs)%6. %7</source>
        <translation>%1 Punkte, %2 auf der Front; Original %3 ms in der Laufzeit %4 bei Batch %5 (jede Datei in denselben abwechselnden Läufen dagegen gemessen)%6. %7</translation>
    </message>
    <message>
        <source>Plan of %1 at %2 % target loaded: the file cut %3 % of the conv MACs and ran %4x against the original (Edit ▸ Undo restores the previous plan).</source>
        <translation>Plan %1 bei %2 % Ziel geladen: die Datei spart %3 % der Conv-MACs und lief %4x gegenüber dem Original (Bearbeiten ▸ Rückgängig stellt den vorigen Plan wieder her).</translation>
    </message>
</context>
<context>
    <name>ClusterScatterView</name>
    <message>
        <source>k-means</source>
        <translation>k-Means</translation>
    </message>
    <message>
        <source>kernel PCA</source>
        <translation>Kernel-PCA</translation>
    </message>
    <message>
        <source>spectral</source>
        <translation>spektral</translation>
    </message>
    <message>
        <source>smoothness</source>
        <translation>Glattheit</translation>
    </message>
    <message>
        <source>TMI</source>
        <translation>TMI</translation>
    </message>
    <message>
        <source>1 filter</source>
        <translation>1 Filter</translation>
    </message>
    <message>
        <source>%1 filters</source>
        <translation>%1 Filter</translation>
    </message>
    <message>
        <source>Use for Plan</source>
        <translation>Für den Plan verwenden</translation>
    </message>
    <message>
        <source>as planned</source>
        <translation>wie geplant</translation>
    </message>
    <message>
        <source>preview: %1</source>
        <translation>Vorschau: %1</translation>
    </message>
    <message>
        <source>Show the plan&apos;s groups, or cluster this layer&apos;s filters with another method (same G and ratio) to compare; the plan is not changed</source>
        <translation>Die Gruppen des Plans zeigen oder die Filter dieser Schicht zum Vergleich mit einer anderen Methode clustern (gleiches G, gleiche Rate); der Plan wird nicht geändert</translation>
    </message>
    <message>
        <source>&amp;Groups:</source>
        <translation>&amp;Gruppen:</translation>
    </message>
    <message>
        <source>Make the previewed method the plan&apos;s clustering method for every layer (undoable)</source>
        <translation>Die Methode der Vorschau als Clustering-Methode des Plans für alle Schichten übernehmen (rückgängig machbar)</translation>
    </message>
    <message>
        <source>group 000: 0000 filters</source>
        <translation>Gruppe 000: 0000 Filter</translation>
    </message>
    <message>
        <source>Filters per group: GKP groups are always of equal size</source>
        <translation>Filter je Gruppe: GKP-Gruppen sind immer gleich groß</translation>
    </message>
    <message>
        <source>as planned (%1)</source>
        <translation>wie geplant (%1)</translation>
    </message>
    <message>
        <source>Clustering: %1</source>
        <translation>Clustering: %1</translation>
    </message>
    <message>
        <source>Open a model to see how the filters of a layer are grouped.</source>
        <translation>Öffnen Sie ein Modell, um zu sehen, wie die Filter einer Schicht gruppiert sind.</translation>
    </message>
    <message>
        <source>Select a layer to see its filters.</source>
        <translation>Wählen Sie eine Schicht, um ihre Filter zu sehen.</translation>
    </message>
    <message>
        <source>Computing the projection of the filters…</source>
        <translation>Berechne die Projektion der Filter…</translation>
    </message>
    <message>
        <source>&lt;b&gt;Filter groups&lt;/b&gt;</source>
        <translation>&lt;b&gt;Filtergruppen&lt;/b&gt;</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt; · 1 filter</source>
        <translation>&lt;b&gt;%1&lt;/b&gt; · 1 Filter</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt; · %2 filters</source>
        <translation>&lt;b&gt;%1&lt;/b&gt; · %2 Filter</translation>
    </message>
    <message>
        <source> · G = %1 groups of %2</source>
        <translation> · G = %1 Gruppen zu je %2</translation>
    </message>
    <message>
        <source> · &lt;i&gt;re-planning…&lt;/i&gt;</source>
        <translation> · &lt;i&gt;plane neu…&lt;/i&gt;</translation>
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
        <translation>Die Filter dieser Schicht können nicht projiziert werden: %1</translation>
    </message>
    <message>
        <source>Preview of %1 clustering with the plan&apos;s G and ratio: retained energy %2 % (the plan&apos;s %3: %4 %). The plan is unchanged.</source>
        <translation>Vorschau des Clusterings mit der Methode %1 bei G und Rate des Plans: erhaltene Energie %2 % (Methode des Plans, %3: %4 %). Der Plan bleibt unverändert.</translation>
    </message>
    <message>
        <source>Cannot cluster with %1: %2</source>
        <translation>Clustering mit der Methode %1 nicht möglich: %2</translation>
    </message>
    <message>
        <source>Clustering with %1… (showing the plan&apos;s groups meanwhile)</source>
        <translation>Clustering mit der Methode %1… (bis dahin werden die Gruppen des Plans gezeigt)</translation>
    </message>
    <message>
        <source>group %1</source>
        <translation>Gruppe %1</translation>
    </message>
    <message>
        <source>group %1: %2</source>
        <translation>Gruppe %1: %2</translation>
    </message>
    <message>
        <source>not grouped</source>
        <translation>nicht gruppiert</translation>
    </message>
    <message>
        <source>Not prunable (%1): the filters are shown without groups.</source>
        <translation>Nicht prunebar (%1): Die Filter werden ohne Gruppen gezeigt.</translation>
    </message>
    <message>
        <source>No plan yet: the groups appear when planning finishes.</source>
        <translation>Noch kein Plan: Die Gruppen erscheinen, sobald die Planung fertig ist.</translation>
    </message>
    <message>
        <source>This layer reads the network input and is not pruned by default: no groups.</source>
        <translation>Diese Schicht liest die Netzeingabe und wird standardmäßig nicht geprunt: keine Gruppen.</translation>
    </message>
    <message>
        <source>The current settings do not prune this layer: no groups.</source>
        <translation>Die aktuellen Einstellungen prunen diese Schicht nicht: keine Gruppen.</translation>
    </message>
    <message>
        <source>(A preview needs the layer to be in the plan.)</source>
        <translation>(Eine Vorschau setzt voraus, dass die Schicht im Plan ist.)</translation>
    </message>
    <message>
        <source>PC1 (%1 % of the variance)</source>
        <translation>PC1 (%1 % der Varianz)</translation>
    </message>
    <message>
        <source>PC2 (%1 % of the variance)</source>
        <translation>PC2 (%1 % der Varianz)</translation>
    </message>
    <message>
        <source>group %1 (%2)</source>
        <translation>Gruppe %1 (%2)</translation>
    </message>
    <message>
        <source>filter %1
L2 norm %2
%3</source>
        <translation>Filter %1
L2-Norm %2
%3</translation>
    </message>
</context>
<context>
    <name>ControlsPanel</name>
    <message>
        <source>Target conv-MACs reduction</source>
        <translation>Ziel: Reduktion der Conv-MACs</translation>
    </message>
    <message>
        <source>auto</source>
        <translation>auto</translation>
    </message>
    <message>
        <source>latency-aware</source>
        <translation>latenzbewusst</translation>
    </message>
    <message>
        <source>Prune the stem (reads the input)</source>
        <translation>Stem prunen (liest die Eingabe)</translation>
    </message>
    <message>
        <source>Selected layer</source>
        <translation>Ausgewählte Schicht</translation>
    </message>
    <message>
        <source>Prune this layer</source>
        <translation>Diese Schicht prunen</translation>
    </message>
    <message>
        <source>Own ratio</source>
        <translation>Eigene Rate</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Fraction of grouped kernels pruned in every group</source>
        <translation>Anteil der gruppierten Kernel, der in jeder Gruppe entfernt wird</translation>
    </message>
    <message>
        <source>k-means (balanced)</source>
        <translation>k-Means (balanciert)</translation>
    </message>
    <message>
        <source>kernel PCA</source>
        <translation>Kernel-PCA</translation>
    </message>
    <message>
        <source>spectral</source>
        <translation>spektral</translation>
    </message>
    <message>
        <source>smoothness (data-free)</source>
        <translation>Glattheit (ohne Daten)</translation>
    </message>
    <message>
        <source>TMI (needs snapshots)</source>
        <translation>TMI (braucht Snapshots)</translation>
    </message>
    <message>
        <source>greedy (TMI-GKP)</source>
        <translation>gierig (TMI-GKP)</translation>
    </message>
    <message>
        <source>L2 norm</source>
        <translation>L2-Norm</translation>
    </message>
    <message>
        <source>geometric median</source>
        <translation>geometrischer Median</translation>
    </message>
    <message>
        <source>L2 + geometric median</source>
        <translation>L2 + geometrischer Median</translation>
    </message>
    <message>
        <source>Whole model</source>
        <translation>Gesamtes Modell</translation>
    </message>
    <message>
        <source>Pruning ratio</source>
        <translation>Pruning-Rate</translation>
    </message>
    <message>
        <source>Groups G</source>
        <translation>Gruppen G</translation>
    </message>
    <message>
        <source>Clustering</source>
        <translation>Clustering</translation>
    </message>
    <message>
        <source>Kernel selection</source>
        <translation>Kernel-Auswahl</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>Seed</translation>
    </message>
    <message>
        <source>Ratio</source>
        <translation>Rate</translation>
    </message>
    <message>
        <source>planning…</source>
        <translation>plane…</translation>
    </message>
    <message>
        <source>planning %v/%m layers</source>
        <translation>plane %v/%m Schichten</translation>
    </message>
    <message>
        <source>plan up to date</source>
        <translation>Plan ist aktuell</translation>
    </message>
    <message>
        <source>planning failed</source>
        <translation>Planung fehlgeschlagen</translation>
    </message>
    <message>
        <source>Layer %1</source>
        <translation>Schicht %1</translation>
    </message>
    <message>
        <source>as whole model</source>
        <translation>wie gesamtes Modell</translation>
    </message>
    <message>
        <source>%1: G = %2, keeps %3 of %4 input channels per group, %5% energy</source>
        <translation>%1: G = %2, behält %3 von %4 Eingangskanälen je Gruppe, %5 % Energie</translation>
    </message>
    <message>
        <source>%1 is not pruned</source>
        <translation>%1 wird nicht geprunt</translation>
    </message>
    <message>
        <source>%1 is not prunable: %2</source>
        <translation>%1 ist nicht prunebar: %2</translation>
    </message>
    <message>
        <source>Pruning ratio %1%</source>
        <translation>Pruning-Rate %1 %</translation>
    </message>
    <message>
        <source>Change pruning settings</source>
        <translation>Pruning-Einstellungen ändern</translation>
    </message>
    <message>
        <source>Reset %1</source>
        <translation>%1 zurücksetzen</translation>
    </message>
    <message>
        <source>Edit %1</source>
        <translation>%1 bearbeiten</translation>
    </message>
    <message>
        <source>Keep channels in multiples of 8</source>
        <translation>Kanäle in Vielfachen von 8 behalten</translation>
    </message>
    <message>
        <source>Round each group&apos;s kept input channels to a multiple of 8: CPU convolution kernels run faster on such channel counts (176 rather than 179)</source>
        <translation>Die behaltenen Eingangskanäle jeder Gruppe auf ein Vielfaches von 8 runden: CPU-Faltungskernel laufen mit solchen Kanalzahlen schneller (176 statt 179)</translation>
    </message>
    <message>
        <source>Time layers for the oneDNN runtime</source>
        <translation>Schichten für die oneDNN-Laufzeitumgebung messen</translation>
    </message>
    <message>
        <source>Latency-aware planning times each layer as it runs after torch.jit.optimize_for_inference (oneDNN convolutions); layers that pruning would not make faster there are left dense and a MACs target is met by the others</source>
        <translation>Die latenzbewusste Planung misst jede Schicht so, wie sie nach torch.jit.optimize_for_inference läuft (oneDNN-Faltungen); Schichten, die das Pruning dort nicht schneller macht, bleiben dicht, und ein MACs-Ziel erreichen die übrigen</translation>
    </message>
    <message>
        <source>%1 is left dense: pruned it ran in %2 ms, dense in %3 ms (latency-aware)</source>
        <translation>%1 bleibt dicht: geprunt lief sie in %2 ms, dicht in %3 ms (latenzbewusst)</translation>
    </message>
    <message>
        <source>Keep residual streams whole (internal channels only)</source>
        <translation>Residualpfade vollständig lassen (nur interne Kanäle)</translation>
    </message>
    <message>
        <source>Grouped kernel pruning (GKP)</source>
        <translation>Gruppiertes Kernel-Pruning (GKP)</translation>
    </message>
    <message>
        <source>Coupled channel pruning</source>
        <translation>Gekoppeltes Kanal-Pruning</translation>
    </message>
    <message>
        <source>Coupled channel pruning removes whole channels from every layer that holds them (through BatchNorm, residual adds, concats and depthwise convolutions): plain smaller dense layers, the strong structured baseline GKP is compared with</source>
        <translation>Gekoppeltes Kanal-Pruning entfernt ganze Kanäle aus jeder Schicht, die sie enthält (über BatchNorm, Residual-Additionen, Verkettungen und Depthwise-Faltungen): einfach kleinere dichte Schichten, die starke strukturierte Vergleichsbasis für GKP</translation>
    </message>
    <message>
        <source>group norm (every coupled layer)</source>
        <translation>Gruppennorm (alle gekoppelten Schichten)</translation>
    </message>
    <message>
        <source>L1 norm of the filters</source>
        <translation>L1-Norm der Filter</translation>
    </message>
    <message>
        <source>L2 norm of the filters</source>
        <translation>L2-Norm der Filter</translation>
    </message>
    <message>
        <source>Channel pruning: leave every channel a residual add couples; GKP: leave the layers that read a residual stream unpruned</source>
        <translation>Kanal-Pruning: jeden Kanal behalten, den eine Residual-Addition koppelt; GKP: die Schichten, die einen Residualpfad lesen, nicht prunen</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>Methode</translation>
    </message>
    <message>
        <source>Channel importance</source>
        <translation>Kanal-Wichtigkeit</translation>
    </message>
</context>
<context>
    <name>DatasetDialog</name>
    <message>
        <source>Dataset</source>
        <translation>Datensatz</translation>
    </message>
    <message>
        <source>Dataset SPEC: fashion-mnist[:test|train], mnist:DIR, idx:IMAGES,LABELS, cifar10:FILE_OR_DIR, cifar100:FILE_OR_DIR, folder:DIR, with options ,size=HxW ,channels=N ,mean=a/b/c ,std=a/b/c</source>
        <translation>Datensatz-SPEC: fashion-mnist[:test|train], mnist:DIR, idx:IMAGES,LABELS, cifar10:FILE_OR_DIR, cifar100:FILE_OR_DIR, folder:DIR, mit den Optionen ,size=HxW ,channels=N ,mean=a/b/c ,std=a/b/c</translation>
    </message>
    <message>
        <source>all</source>
        <translation>alle</translation>
    </message>
    <message>
        <source>off</source>
        <translation>aus</translation>
    </message>
    <message>
        <source>the training split of the dataset</source>
        <translation>der Trainingsteil des Datensatzes</translation>
    </message>
    <message>
        <source>Folder…</source>
        <translation>Ordner…</translation>
    </message>
    <message>
        <source>Evaluate on</source>
        <translation>Auswerten auf</translation>
    </message>
    <message>
        <source>Recalibrate BatchNorm on</source>
        <translation>BatchNorm rekalibrieren auf</translation>
    </message>
    <message>
        <source>Recalibration data</source>
        <translation>Rekalibrierungsdaten</translation>
    </message>
    <message>
        <source>Evaluation uses the first N images. Recalibration re-estimates BatchNorm statistics of every pruned variant on N training images (weights unchanged).</source>
        <translation>Die Auswertung verwendet die ersten N Bilder. Die Rekalibrierung schätzt die BatchNorm-Statistiken jeder geprunten Variante auf N Trainingsbildern neu (Gewichte unverändert).</translation>
    </message>
    <message>
        <source>Image folder (one subfolder per class)</source>
        <translation>Bildordner (ein Unterordner je Klasse)</translation>
    </message>
</context>
<context>
    <name>Document</name>
    <message>
        <source>Open a model before loading a plan.</source>
        <translation>Öffnen Sie ein Modell, bevor Sie einen Plan laden.</translation>
    </message>
    <message>
        <source>Load Plan</source>
        <translation>Plan laden</translation>
    </message>
    <message>
        <source>The plan is still being computed; save again in a moment.</source>
        <translation>Der Plan wird noch berechnet; speichern Sie gleich noch einmal.</translation>
    </message>
</context>
<context>
    <name>ExportDialog</name>
    <message>
        <source>Time each layer&apos;s forms and keep the fastest (deploy)</source>
        <translation>Formen jeder Schicht messen und die schnellste behalten (Deploy)</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>Exportieren</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Export Pruned Model</source>
        <translation>Gepruntes Modell exportieren</translation>
    </message>
    <message>
        <source>Deploy: frozen, BatchNorm folded, fastest</source>
        <translation>Deploy: eingefroren, BatchNorm gefaltet, am schnellsten</translation>
    </message>
    <message>
        <source>Trainable: parameters and BatchNorm kept, for fine-tuning</source>
        <translation>Trainierbar: Parameter und BatchNorm bleiben, zur Feinabstimmung</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>Durchsuchen…</translation>
    </message>
    <message>
        <source>Mode</source>
        <translation>Modus</translation>
    </message>
    <message>
        <source>File</source>
        <translation>Datei</translation>
    </message>
    <message>
        <source>TorchScript models (*.pt)</source>
        <translation>TorchScript-Modelle (*.pt)</translation>
    </message>
    <message>
        <source>&lt;p style=&apos;color:#b00&apos;&gt;There is no up-to-date plan with pruned layers to export yet.&lt;/p&gt;</source>
        <translation>&lt;p style=&apos;color:#b00&apos;&gt;Es gibt noch keinen aktuellen Plan mit geprunten Schichten, der exportiert werden könnte.&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&lt;p&gt;Exporting, verifying and timing…&lt;/p&gt;</source>
        <translation>&lt;p&gt;Exportiere, verifiziere und messe…&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Cancelled: no file was written.</source>
        <translation>Abgebrochen: Es wurde keine Datei geschrieben.</translation>
    </message>
    <message>
        <source>&lt;p style=&apos;color:#b00&apos;&gt;&lt;b&gt;Export failed.&lt;/b&gt; %1&lt;/p&gt;</source>
        <translation>&lt;p style=&apos;color:#b00&apos;&gt;&lt;b&gt;Export fehlgeschlagen.&lt;/b&gt; %1&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;b&gt;Wrote&lt;/b&gt; %1 (%2 MB, %3).&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;Geschrieben:&lt;/b&gt; %1 (%2 MB, %3).&lt;/p&gt;</translation>
    </message>
    <message>
        <source>deploy</source>
        <translation>Deploy</translation>
    </message>
    <message>
        <source>trainable</source>
        <translation>trainierbar</translation>
    </message>
    <message>
        <source>&lt;p style=&apos;color:#070&apos;&gt;&lt;b&gt;Verified&lt;/b&gt;: matches the masked model on %1 random inputs, max relative error %2.&lt;/p&gt;</source>
        <translation>&lt;p style=&apos;color:#070&apos;&gt;&lt;b&gt;Verifiziert&lt;/b&gt;: stimmt auf %1 zufälligen Eingaben mit dem maskierten Modell überein, größter relativer Fehler %2.&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&lt;p style=&apos;color:#b00&apos;&gt;Not verified.&lt;/p&gt;</source>
        <translation>&lt;p style=&apos;color:#b00&apos;&gt;Nicht verifiziert.&lt;/p&gt;</translation>
    </message>
    <message numerus="yes">
        <source>&lt;p&gt;%n layer(s) kept as masked dense convolutions because their grouped form was slower on this machine: %1&lt;/p&gt;</source>
        <translation>
            <numerusform>&lt;p&gt;%n Schicht bleibt als maskierte dichte Faltung, weil ihre gruppierte Form auf diesem Rechner langsamer war: %1&lt;/p&gt;</numerusform>
            <numerusform>&lt;p&gt;%n Schichten bleiben als maskierte dichte Faltungen, weil ihre gruppierte Form auf diesem Rechner langsamer war: %1&lt;/p&gt;</numerusform>
        </translation>
    </message>
    <message>
        <source>As loaded (frozen TorchScript)</source>
        <translation>Wie geladen (eingefrorenes TorchScript)</translation>
    </message>
    <message>
        <source>oneDNN (after torch.jit.optimize_for_inference)</source>
        <translation>oneDNN (nach torch.jit.optimize_for_inference)</translation>
    </message>
    <message>
        <source>Where the deployed model will run: forms are timed, the file verified and both models benchmarked there</source>
        <translation>Wo das Deploy-Modell laufen wird: Dort werden die Formen gemessen, die Datei geprüft und beide Modelle verglichen</translation>
    </message>
    <message>
        <source>Runtime</source>
        <translation>Laufzeitumgebung</translation>
    </message>
    <message>
        <source>&lt;p&gt;Forms timed, file verified and both models benchmarked in the oneDNN runtime (torch.jit.optimize_for_inference); the file as loaded was verified too.&lt;/p&gt;</source>
        <translation>&lt;p&gt;Formen gemessen, Datei geprüft und beide Modelle verglichen in der oneDNN-Laufzeitumgebung (torch.jit.optimize_for_inference); die Datei wie geladen wurde ebenfalls geprüft.&lt;/p&gt;</translation>
    </message>
    <message>
        <source>ONNX models (*.onnx)</source>
        <translation>ONNX-Modelle (*.onnx)</translation>
    </message>
    <message>
        <source>Write the file even when it runs slower than the original (deploy)</source>
        <translation>Datei auch schreiben, wenn sie langsamer als das Original läuft (Deploy)</translation>
    </message>
    <message>
        <source>This is an ONNX model: a file ending in .onnx is written as a pruned ONNX file (grouped Conv nodes, forms not timed per layer; the whole file is timed in ONNX Runtime when it is installed); a .pt file as TorchScript.</source>
        <translation>Dies ist ein ONNX-Modell: Eine Datei mit der Endung .onnx wird als beschnittene ONNX-Datei geschrieben (gruppierte Conv-Knoten, Formen nicht je Schicht gemessen; die ganze Datei wird in ONNX Runtime gemessen, wenn es installiert ist), eine .pt-Datei als TorchScript.</translation>
    </message>
    <message>
        <source>&lt;p&gt;Latency at batch %1 (medians of %5 interleaved runs in the %6 runtime, the original prepared the same way), timed before the file was written: &lt;b&gt;%2 ms → %3 ms&lt;/b&gt; (%4x).&lt;/p&gt;</source>
        <translation>&lt;p&gt;Latenz bei Batch %1 (Mediane von %5 abwechselnden Läufen in der Laufzeit %6, das Original gleich vorbereitet), gemessen, bevor die Datei geschrieben wurde: &lt;b&gt;%2 ms → %3 ms&lt;/b&gt; (%4x).&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&lt;p&gt;The file was not timed against the original: %1&lt;/p&gt;</source>
        <translation>&lt;p&gt;Die Datei wurde nicht gegen das Original gemessen: %1&lt;/p&gt;</translation>
    </message>
</context>
<context>
    <name>FinetuneDialog</name>
    <message>
        <source>Random crop and horizontal flip</source>
        <translation>Zufälliger Ausschnitt und horizontale Spiegelung</translation>
    </message>
    <message>
        <source>Fine-tune</source>
        <translation>Feinabstimmen</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Fine-tune a Trainable Export</source>
        <translation>Trainierbaren Export feinabstimmen</translation>
    </message>
    <message>
        <source>a model written by File ▸ Export in trainable mode</source>
        <translation>ein von Datei ▸ Exportieren im trainierbaren Modus geschriebenes Modell</translation>
    </message>
    <message>
        <source>all</source>
        <translation>alle</translation>
    </message>
    <message>
        <source>Cosine</source>
        <translation>Kosinus</translation>
    </message>
    <message>
        <source>Step (x0.1 per epoch)</source>
        <translation>Stufen (x0,1 je Epoche)</translation>
    </message>
    <message>
        <source>Constant</source>
        <translation>Konstant</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>Durchsuchen…</translation>
    </message>
    <message>
        <source>Trainable export</source>
        <translation>Trainierbarer Export</translation>
    </message>
    <message>
        <source>Dataset</source>
        <translation>Datensatz</translation>
    </message>
    <message>
        <source>Epochs</source>
        <translation>Epochen</translation>
    </message>
    <message>
        <source>Learning rate</source>
        <translation>Lernrate</translation>
    </message>
    <message>
        <source>Schedule</source>
        <translation>Lernratenverlauf</translation>
    </message>
    <message>
        <source>Batch size</source>
        <translation>Batchgröße</translation>
    </message>
    <message>
        <source>Training images</source>
        <translation>Trainingsbilder</translation>
    </message>
    <message>
        <source>Validation images</source>
        <translation>Validierungsbilder</translation>
    </message>
    <message>
        <source>Save trainable to</source>
        <translation>Trainierbar speichern unter</translation>
    </message>
    <message>
        <source>Save deploy to</source>
        <translation>Deploy speichern unter</translation>
    </message>
    <message>
        <source>training step</source>
        <translation>Trainingsschritt</translation>
    </message>
    <message>
        <source>training loss</source>
        <translation>Trainingsverlust</translation>
    </message>
    <message>
        <source>validation top-1 (%)</source>
        <translation>Top-1-Genauigkeit der Validierung (%)</translation>
    </message>
    <message>
        <source>validation top-1</source>
        <translation>Top-1-Genauigkeit der Validierung</translation>
    </message>
    <message>
        <source>Trainable Export</source>
        <translation>Trainierbarer Export</translation>
    </message>
    <message>
        <source>TorchScript models (*.pt)</source>
        <translation>TorchScript-Modelle (*.pt)</translation>
    </message>
    <message>
        <source>Save Fine-tuned Model</source>
        <translation>Feinabgestimmtes Modell speichern</translation>
    </message>
    <message>
        <source>&lt;span style=&apos;color:#b00&apos;&gt;Choose the trainable export and where to save.&lt;/span&gt;</source>
        <translation>&lt;span style=&apos;color:#b00&apos;&gt;Wählen Sie den trainierbaren Export und den Speicherort.&lt;/span&gt;</translation>
    </message>
    <message>
        <source>Loading data…</source>
        <translation>Lade Daten…</translation>
    </message>
    <message>
        <source>Epoch %1/%2, step %3/%4, loss %5</source>
        <translation>Epoche %1/%2, Schritt %3/%4, Verlust %5</translation>
    </message>
    <message>
        <source>&lt;b&gt;Done.&lt;/b&gt; Validation top-1 &lt;b&gt;%1 %&lt;/b&gt; on %2 images. Pruned kernels: %3 layer(s), %4 nonzero pruned weights. Wrote %5%6.</source>
        <translation>&lt;b&gt;Fertig.&lt;/b&gt; Top-1-Genauigkeit der Validierung &lt;b&gt;%1 %&lt;/b&gt; auf %2 Bildern. Geprunte Kernel: %3 Schicht(en), %4 geprunte Gewichte ungleich null. Geschrieben: %5%6.</translation>
    </message>
    <message>
        <source> and %1 (deploy)</source>
        <translation> und %1 (Deploy)</translation>
    </message>
    <message>
        <source>Cancelled: no file was written.</source>
        <translation>Abgebrochen: Es wurde keine Datei geschrieben.</translation>
    </message>
    <message>
        <source>&lt;span style=&apos;color:#b00&apos;&gt;&lt;b&gt;Failed.&lt;/b&gt; %1&lt;/span&gt;</source>
        <translation>&lt;span style=&apos;color:#b00&apos;&gt;&lt;b&gt;Fehlgeschlagen.&lt;/b&gt; %1&lt;/span&gt;</translation>
    </message>
</context>
<context>
    <name>GranularityPanel</name>
    <message>
        <source>Rows: output channels o (filters). Columns: input channels c. Dark: kept, light: pruned; in between: part of the kernel&apos;s weights kept.</source>
        <translation>Zeilen: Ausgangskanäle o (Filter). Spalten: Eingangskanäle c. Dunkel: behalten, hell: entfernt; dazwischen: ein Teil der Kernelgewichte behalten.</translation>
    </message>
    <message>
        <source>kept: %1 % of weights&lt;br&gt;retained energy: &lt;b&gt;%2 %&lt;/b&gt;</source>
        <translation>behalten: %1 % der Gewichte&lt;br&gt;erhaltene Energie: &lt;b&gt;%2 %&lt;/b&gt;</translation>
    </message>
    <message>
        <source>dense: runs on standard kernels</source>
        <translation>dicht: läuft auf Standard-Kernels</translation>
    </message>
    <message>
        <source>sparse: needs sparse kernels</source>
        <translation>dünnbesetzt: braucht Sparse-Kernels</translation>
    </message>
</context>
<context>
    <name>GranularityView</name>
    <message>
        <source>Weight</source>
        <translation>Gewicht</translation>
    </message>
    <message>
        <source>Kernel</source>
        <translation>Kernel</translation>
    </message>
    <message>
        <source>Grouped kernel (GKP)</source>
        <translation>Gruppierter Kernel (GKP)</translation>
    </message>
    <message>
        <source>Filter</source>
        <translation>Filter</translation>
    </message>
    <message>
        <source>largest |w|, value by value</source>
        <translation>größtes |w|, Wert für Wert</translation>
    </message>
    <message>
        <source>largest L1 norm, kernel by kernel</source>
        <translation>größte L1-Norm, Kernel für Kernel</translation>
    </message>
    <message>
        <source>%1 clustering, %2 selection, G&#xa0;=&#xa0;%3</source>
        <translation>%1-Clustering, %2-Auswahl, G&#xa0;=&#xa0;%3</translation>
    </message>
    <message>
        <source>the GKP pipeline with G&#xa0;=&#xa0;1 (%1 selection)</source>
        <translation>die GKP-Pipeline mit G&#xa0;=&#xa0;1 (%1-Auswahl)</translation>
    </message>
    <message>
        <source>largest L1 norm, filter by filter</source>
        <translation>größte L1-Norm, Filter für Filter</translation>
    </message>
    <message>
        <source>Computing…</source>
        <translation>Berechne…</translation>
    </message>
    <message>
        <source>Select a layer to compare pruning granularities.</source>
        <translation>Wählen Sie eine Schicht, um Pruning-Granularitäten zu vergleichen.</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt; is not prunable (%2): nothing to compare.</source>
        <translation>&lt;b&gt;%1&lt;/b&gt; ist nicht prunebar (%2): nichts zu vergleichen.</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt; reads the network input and is not pruned by default: nothing to compare.</source>
        <translation>&lt;b&gt;%1&lt;/b&gt; liest die Netzeingabe und wird standardmäßig nicht geprunt: nichts zu vergleichen.</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt; is not pruned by the current plan: nothing to compare.</source>
        <translation>&lt;b&gt;%1&lt;/b&gt; wird vom aktuellen Plan nicht geprunt: nichts zu vergleichen.</translation>
    </message>
    <message>
        <source>Comparing granularities for &lt;b&gt;%1&lt;/b&gt;…</source>
        <translation>Vergleiche Granularitäten für &lt;b&gt;%1&lt;/b&gt;…</translation>
    </message>
    <message>
        <source>Comparison failed: %1</source>
        <translation>Vergleich fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt;: %2 × %3 kernels pruned five ways at the same kept fraction (%4 of %5 input channels, %6 %). Rows: filters o; columns: input channels c; &lt;b&gt;dark&lt;/b&gt; = kept, &lt;b&gt;light&lt;/b&gt; = pruned.</source>
        <translation>&lt;b&gt;%1&lt;/b&gt;: %2 × %3 Kernel, auf fünf Arten beim selben behaltenen Anteil geprunt (%4 von %5 Eingangskanälen, %6 %). Zeilen: Filter o; Spalten: Eingangskanäle c; &lt;b&gt;dunkel&lt;/b&gt; = behalten, &lt;b&gt;hell&lt;/b&gt; = entfernt.</translation>
    </message>
    <message>
        <source>GKP, G&#xa0;=&#xa0;1</source>
        <translation>GKP, G&#xa0;=&#xa0;1</translation>
    </message>
    <message>
        <source>Channel (coupled)</source>
        <translation>Kanäle (gekoppelt)</translation>
    </message>
    <message>
        <source>coupled channels: none of this layer&apos;s inputs can be removed</source>
        <translation>gekoppelte Kanäle: keiner der Eingänge dieser Schicht kann entfernt werden</translation>
    </message>
    <message>
        <source>coupled channels, group norm over every layer holding them</source>
        <translation>gekoppelte Kanäle, Gruppennorm über alle Schichten, die sie enthalten</translation>
    </message>
</context>
<context>
    <name>KernelHeatmapView</name>
    <message>
        <source>Grouped order</source>
        <translation>Gruppierte Reihenfolge</translation>
    </message>
    <message>
        <source>L1 norm</source>
        <translation>L1-Norm</translation>
    </message>
    <message>
        <source>L2 norm</source>
        <translation>L2-Norm</translation>
    </message>
    <message>
        <source>Norm of each kh × kw kernel W[o, c]</source>
        <translation>Norm jedes kh × kw-Kernels W[o, c]</translation>
    </message>
    <message>
        <source>Sort filters by (group, index) and show each group&apos;s kept input channels first, as the grouped convolution sees them</source>
        <translation>Filter nach (Gruppe, Index) sortieren und die behaltenen Eingangskanäle jeder Gruppe zuerst zeigen, so wie die gruppierte Faltung sie sieht</translation>
    </message>
    <message>
        <source>Fit</source>
        <translation>Einpassen</translation>
    </message>
    <message>
        <source>Show the whole layer (or double-click the plot)</source>
        <translation>Die ganze Schicht zeigen (oder Doppelklick auf das Diagramm)</translation>
    </message>
    <message>
        <source>Norm:</source>
        <translation>Norm:</translation>
    </message>
    <message>
        <source>filter o = %1, input channel c = %2</source>
        <translation>Filter o = %1, Eingangskanal c = %2</translation>
    </message>
    <message>
        <source>L1 norm = %1</source>
        <translation>L1-Norm = %1</translation>
    </message>
    <message>
        <source>L2 norm = %1</source>
        <translation>L2-Norm = %1</translation>
    </message>
    <message>
        <source>kept, group %1</source>
        <translation>behalten, Gruppe %1</translation>
    </message>
    <message>
        <source>pruned, group %1</source>
        <translation>entfernt, Gruppe %1</translation>
    </message>
    <message>
        <source>No layer selected.</source>
        <translation>Keine Schicht ausgewählt.</translation>
    </message>
    <message>
        <source>Not pruned: this layer reads the network input and is excluded by default. Norms only, no mask.</source>
        <translation>Nicht geprunt: Diese Schicht liest die Netzeingabe und ist standardmäßig ausgenommen. Nur Normen, keine Maske.</translation>
    </message>
    <message>
        <source>Not prunable (%1): norms only, no mask.</source>
        <translation>Nicht prunebar (%1): nur Normen, keine Maske.</translation>
    </message>
    <message>
        <source>Not pruned by the current plan: norms only, no mask.</source>
        <translation>Vom aktuellen Plan nicht geprunt: nur Normen, keine Maske.</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt; — %2 × %3 kernels</source>
        <translation>&lt;b&gt;%1&lt;/b&gt; — %2 × %3 Kernel</translation>
    </message>
    <message>
        <source>, G = %1, %2 of %3 input channels kept per group, retained energy %4 %</source>
        <translation>, G = %1, %2 von %3 Eingangskanälen je Gruppe behalten, erhaltene Energie %4 %</translation>
    </message>
    <message>
        <source>kernel L1 norm  ‖W[o, c]‖₁</source>
        <translation>Kernel-L1-Norm  ‖W[o, c]‖₁</translation>
    </message>
    <message>
        <source>kernel L2 norm  ‖W[o, c]‖₂</source>
        <translation>Kernel-L2-Norm  ‖W[o, c]‖₂</translation>
    </message>
    <message>
        <source>input channels of the row&apos;s group: kept (left of the line), then pruned</source>
        <translation>Eingangskanäle der Gruppe der Zeile: behalten (links der Linie), dann entfernt</translation>
    </message>
    <message>
        <source>output channel o (filter), sorted by group</source>
        <translation>Ausgangskanal o (Filter), nach Gruppe sortiert</translation>
    </message>
    <message>
        <source>input channel c</source>
        <translation>Eingangskanal c</translation>
    </message>
    <message>
        <source>output channel o (filter)</source>
        <translation>Ausgangskanal o (Filter)</translation>
    </message>
    <message>
        <source>g%1</source>
        <translation>g%1</translation>
    </message>
    <message>
        <source>&lt;b&gt;Coloured&lt;/b&gt; cells: kept kernels (colour = norm, see the scale). &lt;b&gt;Grey&lt;/b&gt; cells: pruned kernels (darker grey = larger norm).</source>
        <translation>&lt;b&gt;Farbige&lt;/b&gt; Zellen: behaltene Kernel (Farbe = Norm, siehe Skala). &lt;b&gt;Graue&lt;/b&gt; Zellen: entfernte Kernel (dunkleres Grau = größere Norm).</translation>
    </message>
    <message>
        <source>Black lines separate filter groups; the red dashed line separates each group&apos;s kept input channels from its pruned ones.</source>
        <translation>Schwarze Linien trennen Filtergruppen; die rote gestrichelte Linie trennt die behaltenen Eingangskanäle jeder Gruppe von den entfernten.</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt; — computing the kernel norms…</source>
        <translation>&lt;b&gt;%1&lt;/b&gt; — berechne die Kernel-Normen…</translation>
    </message>
</context>
<context>
    <name>LayerTableDelegate</name>
    <message>
        <source>auto</source>
        <translation>auto</translation>
    </message>
</context>
<context>
    <name>LayerTableModel</name>
    <message>
        <source>not pruned</source>
        <translation>nicht geprunt</translation>
    </message>
    <message>
        <source>%1 (auto)</source>
        <translation>%1 (auto)</translation>
    </message>
    <message>
        <source>%1/%2 (%3%)</source>
        <translation>%1/%2 (%3 %)</translation>
    </message>
    <message>
        <source>%1→%2, %3</source>
        <translation>%1→%2, %3</translation>
    </message>
    <message>
        <source>, g=%1</source>
        <translation>, g=%1</translation>
    </message>
    <message>
        <source>, s=%1</source>
        <translation>, s=%1</translation>
    </message>
    <message>
        <source>no: %1</source>
        <translation>nein: %1</translation>
    </message>
    <message>
        <source>yes (stem, excluded)</source>
        <translation>ja (Stem, ausgenommen)</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>ja</translation>
    </message>
    <message>
        <source>%1
input %2 → output %3
%4 parameters, %5 MACs per image</source>
        <translation>%1
Eingabe %2 → Ausgabe %3
%4 Parameter, %5 MACs pro Bild</translation>
    </message>
    <message>
        <source>Ratio of %1</source>
        <translation>Rate von %1</translation>
    </message>
    <message>
        <source>Groups of %1</source>
        <translation>Gruppen von %1</translation>
    </message>
    <message>
        <source>Fraction of grouped kernels pruned in every group (double-click to edit)</source>
        <translation>Anteil der gruppierten Kernel, der in jeder Gruppe entfernt wird (Doppelklick zum Bearbeiten)</translation>
    </message>
    <message>
        <source>Filter groups G (double-click to edit; auto = flexible group count)</source>
        <translation>Filtergruppen G (Doppelklick zum Bearbeiten; auto = flexible Gruppenzahl)</translation>
    </message>
    <message>
        <source>Input channels kept per group, m of Cin</source>
        <translation>Behaltene Eingangskanäle je Gruppe, m von Cin</translation>
    </message>
    <message>
        <source>Retained weight energy ||W·mask||² / ||W||²</source>
        <translation>Erhaltene Gewichtsenergie ||W·mask||² / ||W||²</translation>
    </message>
    <message>
        <source>#</source>
        <translation>#</translation>
    </message>
    <message>
        <source>Layer</source>
        <translation>Schicht</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>Typ</translation>
    </message>
    <message>
        <source>Shape</source>
        <translation>Form</translation>
    </message>
    <message>
        <source>Params</source>
        <translation>Parameter</translation>
    </message>
    <message>
        <source>MACs</source>
        <translation>MACs</translation>
    </message>
    <message>
        <source>Prunable</source>
        <translation>Prunebar</translation>
    </message>
    <message>
        <source>Ratio</source>
        <translation>Rate</translation>
    </message>
    <message>
        <source>G</source>
        <translation>G</translation>
    </message>
    <message>
        <source>Kept</source>
        <translation>Behalten</translation>
    </message>
    <message>
        <source>Energy</source>
        <translation>Energie</translation>
    </message>
    <message>
        <source>MACs after</source>
        <translation>MACs danach</translation>
    </message>
    <message>
        <source>left dense</source>
        <translation>dicht gelassen</translation>
    </message>
    <message>
        <source>Latency-aware planning left this layer dense: its fastest pruned form took %1 ms, the dense convolution %2 ms. The MACs target is met by the other layers.</source>
        <translation>Die latenzbewusste Planung hat diese Schicht dicht gelassen: Ihre schnellste geprunte Form brauchte %1 ms, die dichte Faltung %2 ms. Das MACs-Ziel erreichen die übrigen Schichten.</translation>
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
        <translation>Lade %1…</translation>
    </message>
    <message>
        <source>Planning failed: %1</source>
        <translation>Planung fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <source>&amp;Open Model…</source>
        <translation>Modell ö&amp;ffnen…</translation>
    </message>
    <message>
        <source>Open Model with Input &amp;Shape…</source>
        <translation>Modell mit Eingabe&amp;form öffnen…</translation>
    </message>
    <message>
        <source>Open &amp;Recent</source>
        <translation>&amp;Zuletzt geöffnet</translation>
    </message>
    <message>
        <source>&amp;Load Plan…</source>
        <translation>Plan &amp;laden…</translation>
    </message>
    <message>
        <source>&amp;Save Plan…</source>
        <translation>Plan &amp;speichern…</translation>
    </message>
    <message>
        <source>&amp;Export Pruned Model…</source>
        <translation>Gepruntes Modell &amp;exportieren…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>&amp;Bearbeiten</translation>
    </message>
    <message>
        <source>&amp;Undo</source>
        <translation>&amp;Rückgängig</translation>
    </message>
    <message>
        <source>&amp;Redo</source>
        <translation>&amp;Wiederholen</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <source>Controls</source>
        <translation>Steuerung</translation>
    </message>
    <message>
        <source>Model Summary</source>
        <translation>Modellübersicht</translation>
    </message>
    <message>
        <source>Kernel Heatmap</source>
        <translation>Kernel-Heatmap</translation>
    </message>
    <message>
        <source>Pruning Granularity</source>
        <translation>Pruning-Granularität</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>&amp;Sprache</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Sprache</translation>
    </message>
    <message>
        <source>GKP Studio will use %1 the next time it starts.</source>
        <translation>GKP Studio verwendet beim nächsten Start %1.</translation>
    </message>
    <message>
        <source>Input Shape</source>
        <translation>Eingabeform</translation>
    </message>
    <message>
        <source>Example input shape (N,C,H,W):</source>
        <translation>Form einer Beispieleingabe (N,C,H,W):</translation>
    </message>
    <message>
        <source>Invalid Input Shape</source>
        <translation>Ungültige Eingabeform</translation>
    </message>
    <message>
        <source>Load Plan</source>
        <translation>Plan laden</translation>
    </message>
    <message>
        <source>GKP plans (*.json);;All files (*)</source>
        <translation>GKP-Pläne (*.json);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Cannot Load Plan</source>
        <translation>Plan kann nicht geladen werden</translation>
    </message>
    <message>
        <source>Save Plan</source>
        <translation>Plan speichern</translation>
    </message>
    <message>
        <source>GKP plans (*.json)</source>
        <translation>GKP-Pläne (*.json)</translation>
    </message>
    <message>
        <source>Saved %1</source>
        <translation>%1 gespeichert</translation>
    </message>
    <message>
        <source>Cannot Save Plan</source>
        <translation>Plan kann nicht gespeichert werden</translation>
    </message>
    <message>
        <source>%1 — GKP Studio</source>
        <translation>%1 — GKP Studio</translation>
    </message>
    <message>
        <source>Loaded %1</source>
        <translation>%1 geladen</translation>
    </message>
    <message>
        <source>Cannot Open Model</source>
        <translation>Modell kann nicht geöffnet werden</translation>
    </message>
    <message>
        <source>Filter Clusters</source>
        <translation>Filter-Cluster</translation>
    </message>
    <message>
        <source>&amp;Analysis</source>
        <translation>A&amp;nalyse</translation>
    </message>
    <message>
        <source>&amp;Sensitivity and Granularity Comparison…</source>
        <translation>&amp;Sensitivität und Granularitätsvergleich…</translation>
    </message>
    <message>
        <source>&amp;Fine-tune Trainable Export…</source>
        <translation>Trainierbaren Export &amp;feinabstimmen…</translation>
    </message>
    <message>
        <source>Open Model</source>
        <translation>Modell öffnen</translation>
    </message>
    <message>
        <source>TorchScript and ONNX models (%1);;All files (*)</source>
        <translation>TorchScript- und ONNX-Modelle (%1);;Alle Dateien (*)</translation>
    </message>
</context>
<context>
    <name>ModelSummaryView</name>
    <message>
        <source>before pruning</source>
        <translation>vor dem Pruning</translation>
    </message>
    <message>
        <source>after pruning</source>
        <translation>nach dem Pruning</translation>
    </message>
    <message>
        <source>convolution (execution order)</source>
        <translation>Faltung (Ausführungsreihenfolge)</translation>
    </message>
    <message>
        <source>Click a bar to select its layer; wheel to zoom, drag to scroll, double-click to fit</source>
        <translation>Klick auf einen Balken wählt seine Schicht; Mausrad zoomt, Ziehen scrollt, Doppelklick passt ein</translation>
    </message>
    <message>
        <source>Size: the model file as loaded, and an estimate of the deploy export: kept parameters × 4 bytes, plus the file&apos;s own code and metadata, plus the int64 channel indices the grouped convolutions gather with</source>
        <translation>Größe: die Modelldatei wie geladen und eine Schätzung des Deploy-Exports: behaltene Parameter × 4 Bytes, plus Code und Metadaten der Datei, plus die int64-Kanalindizes, mit denen die gruppierten Faltungen ihre Eingaben sammeln</translation>
    </message>
    <message>
        <source>MACs / image</source>
        <translation>MACs / Bild</translation>
    </message>
    <message>
        <source>MACs / image (G)</source>
        <translation>MACs / Bild (G)</translation>
    </message>
    <message>
        <source>MACs / image (M)</source>
        <translation>MACs / Bild (M)</translation>
    </message>
    <message>
        <source>MACs / image (K)</source>
        <translation>MACs / Bild (K)</translation>
    </message>
    <message>
        <source>No model</source>
        <translation>Kein Modell</translation>
    </message>
    <message>
        <source>−%1</source>
        <translation>−%1</translation>
    </message>
    <message>
        <source>Conv MACs</source>
        <translation>Conv-MACs</translation>
    </message>
    <message>
        <source>%1 → %2</source>
        <translation>%1 → %2</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>Parameter</translation>
    </message>
    <message>
        <source>Size (deploy, est.)</source>
        <translation>Größe (Deploy, geschätzt)</translation>
    </message>
    <message>
        <source>Pruned layers</source>
        <translation>Geprunte Schichten</translation>
    </message>
    <message>
        <source>%1 of %2 prunable</source>
        <translation>%1 von %2 prunebaren</translation>
    </message>
    <message>
        <source>%1 convs</source>
        <translation>%1 Faltungen</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt;</source>
        <translation>&lt;b&gt;%1&lt;/b&gt;</translation>
    </message>
    <message>
        <source>stored in the archive</source>
        <translation>im Archiv gespeichert</translation>
    </message>
    <message>
        <source>as given</source>
        <translation>wie angegeben</translation>
    </message>
    <message>
        <source>default</source>
        <translation>Standard</translation>
    </message>
    <message>
        <source>&lt;br&gt;Input %1 (%2)</source>
        <translation>&lt;br&gt;Eingabe %1 (%2)</translation>
    </message>
    <message>
        <source>&lt;br&gt;&lt;i&gt;Computing the plan…&lt;/i&gt;</source>
        <translation>&lt;br&gt;&lt;i&gt;Berechne den Plan…&lt;/i&gt;</translation>
    </message>
    <message>
        <source>Computing the plan…</source>
        <translation>Berechne den Plan…</translation>
    </message>
    <message>
        <source>&lt;br&gt;&lt;i&gt;No plan yet.&lt;/i&gt;</source>
        <translation>&lt;br&gt;&lt;i&gt;Noch kein Plan.&lt;/i&gt;</translation>
    </message>
    <message>
        <source>No plan yet.</source>
        <translation>Noch kein Plan.</translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;i&gt;Note: %1&lt;/i&gt;&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;i&gt;Hinweis: %1&lt;/i&gt;&lt;/p&gt;</translation>
    </message>
    <message>
        <source>convolution # (execution order)</source>
        <translation>Faltung Nr. (Ausführungsreihenfolge)</translation>
    </message>
    <message>
        <source>not prunable: %1</source>
        <translation>nicht prunebar: %1</translation>
    </message>
    <message>
        <source>not pruned</source>
        <translation>nicht geprunt</translation>
    </message>
    <message>
        <source>pruned: −%1 MACs</source>
        <translation>geprunt: −%1 MACs</translation>
    </message>
    <message>
        <source>%1 (layer %2)
before: %3 MACs
after: %4 MACs
%5</source>
        <translation>%1 (Schicht %2)
vorher: %3 MACs
nachher: %4 MACs
%5</translation>
    </message>
    <message>
        <source>MACs (deployed)</source>
        <translation>MACs (Deploy)</translation>
    </message>
    <message>
        <source>&lt;b&gt;No model&lt;/b&gt;&lt;p&gt;Open a TorchScript model (&lt;b&gt;File ▸ Open Model&lt;/b&gt;) saved with &lt;code&gt;torch.jit.script&lt;/code&gt; or &lt;code&gt;torch.jit.trace&lt;/code&gt;, or an ONNX model from any framework, or drop a &lt;code&gt;.pt&lt;/code&gt; or &lt;code&gt;.onnx&lt;/code&gt; file on this window.&lt;/p&gt;</source>
        <translation>&lt;b&gt;Kein Modell&lt;/b&gt;&lt;p&gt;Öffnen Sie ein TorchScript-Modell (&lt;b&gt;Datei ▸ Modell öffnen&lt;/b&gt;), das mit &lt;code&gt;torch.jit.script&lt;/code&gt; oder &lt;code&gt;torch.jit.trace&lt;/code&gt; gespeichert wurde, oder ein ONNX-Modell aus einem beliebigen Framework, oder ziehen Sie eine &lt;code&gt;.pt&lt;/code&gt;- oder &lt;code&gt;.onnx&lt;/code&gt;-Datei auf dieses Fenster.&lt;/p&gt;</translation>
    </message>
</context>
<context>
    <name>QObject</name>
    <message>
        <source>no dataset chosen</source>
        <translation>kein Datensatz gewählt</translation>
    </message>
    <message>
        <source>first %1 images</source>
        <translation>erste %1 Bilder</translation>
    </message>
    <message>
        <source>all images</source>
        <translation>alle Bilder</translation>
    </message>
    <message>
        <source>, BatchNorm recalibrated on %1 training images</source>
        <translation>, BatchNorm auf %1 Trainingsbildern rekalibriert</translation>
    </message>
    <message>
        <source>, BatchNorm statistics as stored</source>
        <translation>, BatchNorm-Statistiken wie gespeichert</translation>
    </message>
</context>
<context>
    <name>UiLanguage</name>
    <message>
        <source>System (%1)</source>
        <translation>System (%1)</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>Grouped Kernel Pruning studio</source>
        <translation>Studio für gruppiertes Kernel-Pruning</translation>
    </message>
    <message>
        <source>TorchScript model to open (default: the demo model)</source>
        <translation>Zu öffnendes TorchScript-Modell (Standard: das Demomodell)</translation>
    </message>
    <message>
        <source>Print where the bundled demo model is, then exit</source>
        <translation>Ausgeben, wo das mitgelieferte Demomodell liegt, dann beenden</translation>
    </message>
    <message>
        <source>(not installed)</source>
        <translation>(nicht installiert)</translation>
    </message>
</context>
</TS>
