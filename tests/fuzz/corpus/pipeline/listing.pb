
https://x.test/l
text/plain�.• KGS/USD = 0.01153 -0%
  • KZT/USD = 0.00201 0%
  • TJS/USD = 0.09243 0.43%
  • UZS/USD = 0.00008 0%
  • TMT/USD = 0.28573 -0.14%
  • KGS/USD = 0.01153 -0%
  • KZT/USD = 0.00201 0%
  • TJS/USD = 0.09243 0.43%
  • UZS/USD = 0.00008 0%
  • TMT/USD = 0.28573 -0.14%
  • KGS/USD = 0.01153 -0%
  • KZT/USD = 0.00201 0%
  • TJS/USD = 0.09243 0.43%
  • UZS/USD = 0.00008 0%
  • TMT/USD = 0.28573 -0.14%
  • KGS/USD = 0.01153 -0%
  • KZT/USD = 0.00201 0%
  • TJS/USD = 0.09243 0.43%
  • UZS/USD = 0.00008 0%
  • TMT/USD = 0.28573 -0.14%
  • KGS/USD = 0.01153 -0%
  • KZT/USD = 0.00201 0%
  • TJS/USD = 0.09243 0.43%
  • UZS/USD = 0.00008 0%
  • TMT/USD = 0.28573 -0.14%
  • KGS/USD = 0.01153 -0%
  • KZT/USD = 0.00201 0%
  • TJS/USD = 0.09243 0.43%
  • UZS/USD = 0.00008 0%
  • TMT/USD = 0.28573 -0.14%
  • KGS/USD = 0.01153 -0%
  • KZT/USD = 0.00201 0%
  • TJS/USD = 0.09243 0.43%
  • UZS/USD = 0.00008 0%
  • TMT/USD = 0.28573 -0.14%
  • KGS/USD = 0.01153 -0%
  • KZT/USD = 0.00201 0%
  • TJS/USD = 0.09243 0.43%
  • UZS/USD = 0.00008 0%
  • TMT/USD = 0.28573 -0.14%
03 April 2025

Viewing results 1 - 6 of 71

What Does Turkey’s “Return” to Europe Mean for Central Asia?

Turkey’s ties with Europe are undergoing a reinvigoration. This phenomenon is foregrounded by recent high-level diplomatic engagements and burgeoning military and economic linkages, which may at first glance appear as a realignment within the Euro-Atlantic system. It holds deeper implications, however, and most consequentially for Central Asia. Turkey is re-entering the European strategic imagination, this time not as a supplicant but as a self-assured middle power. Europe's altered international environment, by changing its external posture, will provide the Central Asian states with additional geopolitical resources in a world marked by shifting alignments and competing centers of power. To grasp the systems-level implications of this shift, one must first dispense with the linear narrative of bilateralism that has long framed Turkey-Europe or Turkey-Central Asia relations in isolation. Instead, Turkey’s position as a hub of multi-vectorial networks — anchored in NATO, increasingly interlocked with EU markets, yet culturally and politically entwined with Turkic Central Asia — makes it a proactive agent whose movement in one sphere triggers systemic perturbations across others. Thus, when Turkey edges closer to Europe, it also subtly reconfigures the vector of Central Asia’s international relations. The second Trump administration is continuing the transition in Europe’s security architecture that was inaugurated during the first. With longstanding assumptions about American commitment to the Atlantic alliance shaken, Europe finds itself unmoored. In this new context, Turkey’s military interventions — its incursions in northern and now central Syria, its containment of Russian advances in Ukraine, and its supply of military drones to Azerbaijan — demonstrate a degree of strategic autonomy that is rare among NATO members. Europe has noticed. The readjustment of its view of Turkey is evident through invitations to summits with key EU players, overtures from German and Polish leaders, and discussions around deepening the customs union. Turkey is no longer peripheral country knocking at the EU’s door; shifts in the international system have made it an increasingly indispensable node in the continent’s security and energy architectures. This European courtship of Turkey has ramifications well beyond Brussels or Berlin, or even Ankara. For the Central Asian states, afflicted by asymmetric dependencies on Russia, Turkey’s geopolitical normalization with Europe presents a "demonstration effect". That is, it puts the spotlight on a regional actor that is using soft power affinities and hard power capabilities to parlay its peripheral status into centrality. Turkey’s return to Europe showcases a successful strategy of multidirectional engagement. Such "strategic hedging" obviates obedience to any single bloc, instead leveraging the overall system's recursive entanglements for national-interest advantage. The Turkish-Azerbaijani partnership is illustrative. Turkey’s provision of military assistance used during the Second Karabakh War in 2020, notably the Bayraktar TB2 drones, enabled Azerbaijan to shift the regional balance. Russia is no longer the hegemonic power in the South Caucasus and must compete in a condition where it is diplomatically and militarily weakened by its war against Ukraine. Baku stands to benefit from its multisectoral economic cooperation with Ankara, which goes far beyond military assistance. Specifically, Azerbaijan's partnership with Turkey...

Kazakhstan Agrees to Increase Oil Transit Through Azerbaijan

Kazakhstan’s KazMunayGas and Azerbaijan’s SOCAR have agreed to increase the transit of Kazakh oil through the Aktau-Baku-Ceyhan route in 2025. The decision was made during a meeting in Baku between KazMunayGas Chairman Askhat Hasenov and SOCAR President Rovshan Najaf, where they reviewed progress on the 2022 oil transportation agreement. At the end of 2024, the volume of Kazakh oil transported through Azerbaijan reached 1.4 million tons. Under the new plan, this figure is set to increase to 1.7 million tons in 2025. The expansion will enhance the transit potential of both Kazakhstan and Azerbaijan, while boosting Kazakhstan’s access to global energy markets. Focus on Decarbonization and Energy Cooperation During the talks, the two companies also discussed their strategic partnership on decarbonization, which was formalized at the 29th UN Climate Change Conference (COP-29) in Azerbaijan. The agreement focuses on: Introducing low-carbon technologies in the oil and gas sector. Reducing harmful emissions from energy production. Additionally, discussions covered joint exploration projects, oil and gas production,  ��ߴ�3*seed2
kv