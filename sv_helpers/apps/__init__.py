"""Each Voila app (interface layer), one module per area, each a :class:`sv_helpers.apps.base.ScenarioApp`.

A notebook builds its app from the result it has already computed (``GrantsApp(result, inputs=inputs)``),
displays it, then applies the page's link (``app.apply_query(ui.read_query_string())``). The app's root
widget carries the class ``sv-app``; its headline, ``sv-headline``.
"""
