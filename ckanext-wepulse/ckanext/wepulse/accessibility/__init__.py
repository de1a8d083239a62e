"""The accessibility statement the Web Accessibility Directive (EU) 2016/2102 requires
of public-sector sites, and its feedback mechanism.

- ``views``: the ``wepulse_accessibility`` blueprint: the statement (/accessibility),
  in the page's language, the feedback form (/accessibility/feedback) and the
  sysadmins' list of the messages it received (/ckan-admin/accessibility-feedback).

The statement's text is content, one template per language, in
templates/accessibility/statement/; the messages are stored in
``model.AccessibilityFeedback``.
"""
