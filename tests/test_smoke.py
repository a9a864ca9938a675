async def test_home_page_is_japanese_by_default(client):
    response = await client.get("/")
    assert response.status_code == 200
    assert '<html lang="ja">' in response.text
