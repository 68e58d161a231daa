<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<!-- A deliberately broken translation: an empty translation and an empty plural form (translations.catches_empty). -->
<TS version="2.1" language="de_DE">
<context>
    <name>MainWindow</name>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <source>Layer %1</source>
        <translation></translation>
    </message>
    <message>
        <source>Old string</source>
        <translation type="vanished">Alte Zeichenkette</translation>
    </message>
    <message numerus="yes">
        <source>%n layer(s)</source>
        <translation>
            <numerusform>%n Schicht</numerusform>
            <numerusform> </numerusform>
        </translation>
    </message>
</context>
</TS>
