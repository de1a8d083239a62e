def test_timing(catalogue, page):
    r = page.goto("/fr/transparency")
    assert r.status == 200
    print(page.locator(".wepulse-overview-table tbody tr").count())
